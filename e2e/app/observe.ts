/**
 * What the app observes, recorded twice: into `window.__observations` (for tests, which compare
 * runs with and without the extension) and into the visible log (for a person at `npm start`).
 *
 * Determinism matters more than detail here: no timestamps, no random ids. The one number the
 * server varies from run to run, the N of "Token has expired N seconds ago", is kept in `text`
 * (a person wants to see it) and masked in `stable` (what tests compare).
 */

export type ObservationKind =
  | 'scenario' // a scenario started
  | 'step' // the app did something (signed in, minted a token, removed a channel)
  | 'status' // subscribe() callback: SUBSCRIBED | TIMED_OUT | CLOSED | CHANNEL_ERROR (+ err.message)
  | 'send' // result of channel.send / httpSend ('ok' | 'timed out' | 'error' | ...)
  | 'broadcast' // a broadcast received by the app
  | 'presence' // presence join/leave seen by the app
  | 'system' // a `system` message delivered to on('system')
  | 'auth' // onAuthStateChange events
  | 'page' // page lifecycle the app itself saw (visibilitychange, freeze, resume)
  | 'error' // something threw or returned an error
  | 'done'; // the scenario reached its end state; nothing more will be recorded for it

export interface Observation {
  /** Who saw it: 'A', 'B', 'iframe', 'worker'… */
  source: string;
  kind: ObservationKind;
  /** Exact text, as the app got it. */
  text: string;
  /** `text` with run-dependent numbers masked; compare this one across runs. */
  stable: string;
}

declare global {
  interface Window {
    __observations: Observation[];
    /** Resolved names of scenarios that reached `done`. */
    __scenariosDone: string[];
  }
}

/**
 * Mask what legitimately differs between two identical runs: N = server_now − exp (§3.2/§3.3)
 * and the kid of a freshly generated signing key.
 */
export function stabilise(text: string): string {
  return text
    .replace(/Token has expired -?\d+ seconds ago/g, 'Token has expired <N> seconds ago')
    // Signing-key ids are random per server start (§3.2 JwtSignerError text carries the kid).
    .replace(/key ID \(kid\) "[^"]*"/g, 'key ID (kid) "<kid>"');
}

export function observationsStore(): Observation[] {
  if (!Array.isArray(window.__observations)) window.__observations = [];
  if (!Array.isArray(window.__scenariosDone)) window.__scenariosDone = [];
  return window.__observations;
}

let logElement: HTMLElement | null = null;

/** Where the visible log goes; without it observations are only recorded in `window`. */
export function attachLog(el: HTMLElement): void {
  logElement = el;
}

export function observe(source: string, kind: ObservationKind, text: string): Observation {
  const o: Observation = { source, kind, text, stable: stabilise(text) };
  observationsStore().push(o);
  // An iframe also reports to its parent, so a person sees one log for the whole page.
  if (window.parent !== window) {
    try {
      window.parent.postMessage({ __claimscopeDemo: 'observation', observation: o }, '*');
    } catch {
      // A cross-origin parent that refuses is not the app's problem; the frame keeps its own log.
    }
  }
  renderLine(o);
  return o;
}

export function renderLine(o: Observation): void {
  if (!logElement) return;
  const li = document.createElement('li');
  li.className = `obs obs-${o.kind}`;
  li.dataset.kind = o.kind;
  li.dataset.source = o.source;
  const src = document.createElement('span');
  src.className = 'src';
  src.textContent = o.source;
  const kind = document.createElement('span');
  kind.className = 'kind';
  kind.textContent = o.kind;
  const text = document.createElement('span');
  text.className = 'text';
  // textContent only: server strings are data, never markup.
  text.textContent = o.text;
  li.append(src, kind, text);
  logElement.append(li);
  li.scrollIntoView({ block: 'nearest' });
}

export function markDone(source: string, scenario: string): void {
  observe(source, 'done', scenario);
  observationsStore();
  window.__scenariosDone.push(scenario);
}

/** Any thrown value as one line, never "[object Object]". */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}
