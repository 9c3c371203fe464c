// The panel's connection to the background router (port PORT_PANEL), kept alive across restarts
// of the MV3 service worker: the browser stops an idle worker at any moment, which drops the port.
// We reconnect, subscribe again, and PanelState merges the fresh snapshot without duplicates.
//
// The runtime is injected (`connect`) so the reconnect logic is tested without a browser. Each port
// is a transport endpoint (src/transport/endpoint.ts): `onMessage` receives only messages valid
// for their type and of this protocol version; everything else goes to `onInvalid`. The popup can
// open the same link.

import { PORT_PANEL, PROTOCOL_VERSION, type BackgroundToPanel, type PanelToBackground } from '../messages';
import { panelEndpoint, type PanelEndpoint, type PortLike } from '../transport/endpoint';

export type { PortLike };

export type LinkState =
  | { kind: 'connected' }
  | { kind: 'reconnecting'; attempt: number }
  /** The extension context is gone (extension reloaded/updated): only reopening DevTools helps. */
  | { kind: 'broken'; message: string };

export interface PanelLinkOptions {
  tabId: number;
  connect: (name: string) => PortLike;
  /** A validated message from the background. */
  onMessage: (message: BackgroundToPanel) => void;
  /**
   * A message the transport refused (malformed, unknown type, or another protocol version:
   * `message` is the raw value, for diagnostics only). Counted in `PanelLink.rejected` either way.
   */
  onInvalid?: (reason: string, message: unknown, peerVersion?: number) => void;
  onState: (state: LinkState) => void;
  /** Delays between reconnect attempts (ms); the last one repeats. */
  backoff?: readonly number[];
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface PanelLink {
  send(message: PanelToBackground): boolean;
  close(): void;
  /** Messages from the background refused so far, over every port this link opened. */
  readonly rejected: number;
}

export function openPanelLink(options: PanelLinkOptions): PanelLink {
  const backoff = options.backoff ?? [50, 200, 500, 1000, 2000];
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  let port: PanelEndpoint | undefined;
  let attempt = 0;
  let rejected = 0;
  let closed = false;
  let timer: unknown;

  const scheduleReconnect = () => {
    if (closed) return;
    const delay = backoff[Math.min(attempt, backoff.length - 1)];
    attempt++;
    options.onState({ kind: 'reconnecting', attempt });
    timer = setTimer(connect, delay);
  };

  function connect(): void {
    timer = undefined;
    if (closed) return;
    let next: PanelEndpoint;
    try {
      next = panelEndpoint(options.connect(PORT_PANEL));
    } catch (error) {
      // "Extension context invalidated": this page belongs to an extension version that is gone.
      options.onState({
        kind: 'broken',
        message: `Claimscope cannot reach its background (${errorText(error)}). The extension was probably reloaded or updated: close DevTools and open it again.`,
      });
      return;
    }
    port = next;
    // Any message, valid or not, shows the background is there again.
    const heard = () => {
      if (attempt !== 0) {
        attempt = 0;
        options.onState({ kind: 'connected' });
      }
    };
    next.onAny((message) => {
      if (port !== next) return;
      heard();
      options.onMessage(message);
    });
    next.onInvalid((rejection) => {
      if (port !== next) return;
      rejected++;
      heard();
      options.onInvalid?.(rejection.reason, rejection.message, rejection.peerVersion);
    });
    next.onDisconnect(() => {
      if (port !== next) return;
      port = undefined;
      scheduleReconnect();
    });
    // A port that died between connect and post: its endpoint's onDisconnect schedules the retry.
    if (!next.send({ type: 'subscribe', v: PROTOCOL_VERSION, tabId: options.tabId })) return;
    if (attempt === 0) options.onState({ kind: 'connected' });
  }

  connect();

  return {
    send(message) {
      return port?.send(message) ?? false;
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimer(timer);
      port?.disconnect();
      port = undefined;
    },
    get rejected() {
      return rejected;
    },
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
