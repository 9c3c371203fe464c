/**
 * The app's configuration, read from the query string so tests can drive it:
 *   ?url=<supabase url>&key=<api key>&vsn=1.0.0|2.0.0&scenario=<name>&worker=1&clients=2
 *    &topic=room1&heartbeat=<ms>&lifetime=<s>&dev=<dev routes base url>
 * Bad values are reported as one clear message each; they never throw.
 */

export const SCENARIO_NAMES = [
  'subscribe',
  'two-clients',
  'iframe',
  'worker',
  'worker-socket',
  'expired-token',
  'expiring-mid-channel',
  'missing-role',
  'other-project',
  'service-role',
  'signout-publishable',
  'hidden-refresh',
  'expired-apikey',
  'private-denied',
  'headers-only-token',
  'signed-in',
  'silent-join',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export type Vsn = '1.0.0' | '2.0.0';

export interface AppConfig {
  /** Supabase project URL (http[s]://host[:port]). Defaults to the page's own origin. */
  url: string;
  /** API key given in the query; when null, the app asks the dev routes for the project's anon key. */
  key: string | null;
  vsn: Vsn;
  /** Scenario to run at load; null when `scenario=none` (buttons only). */
  scenario: ScenarioName | null;
  /** realtime `worker: true` (heartbeat timer in a Web Worker). */
  worker: boolean;
  /** How many clients the two-clients scenario creates (2..8). */
  clients: number;
  topic: string;
  /** realtime heartbeatIntervalMs; null = realtime-js default (25 s). */
  heartbeatMs: number | null;
  /**
   * Token lifetime in seconds for expiring-mid-channel (default 20), signout-publishable (100) and
   * hidden-refresh (100); null = the scenario's default. User sessions default to 100 s because
   * auth-js refreshes any session within 90 s of exp on every getSession() (§5.4): shorter
   * sessions would be refreshed constantly, which is not what these scenarios are about.
   */
  lifetimeS: number | null;
  /** Base URL of the test-only `/__dev/*` routes; defaults to `url`. */
  devBase: string;
  /** Label of this client in observations ('A' in the top page, 'iframe' in the frame page). */
  source: string;
}

export interface ConfigResult {
  config: AppConfig;
  problems: string[];
}

export function isScenarioName(s: string): s is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(s);
}

export function readConfig(search: string, origin: string, defaultSource = 'A'): ConfigResult {
  const q = new URLSearchParams(search);
  const problems: string[] = [];

  let url = q.get('url') ?? origin;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      problems.push(`url must be http(s)://…, got "${url}"; using ${origin}`);
      url = origin;
    } else {
      url = u.origin;
    }
  } catch {
    problems.push(`url is not a URL: "${url}"; using ${origin}`);
    url = origin;
  }

  const key = q.get('key');
  if (key !== null && key.trim() === '') problems.push('key is empty; the project anon key will be fetched from /__dev/config');

  const vsnRaw = q.get('vsn') ?? '2.0.0';
  let vsn: Vsn = '2.0.0';
  if (vsnRaw === '1.0.0' || vsnRaw === '2.0.0') vsn = vsnRaw;
  else problems.push(`vsn must be 1.0.0 or 2.0.0, got "${vsnRaw}"; using 2.0.0`);

  const scenarioRaw = q.get('scenario') ?? 'subscribe';
  let scenario: ScenarioName | null = 'subscribe';
  if (scenarioRaw === 'none') scenario = null;
  else if (isScenarioName(scenarioRaw)) scenario = scenarioRaw;
  else {
    problems.push(`unknown scenario "${scenarioRaw}"; known: ${SCENARIO_NAMES.join(', ')}, none`);
    scenario = null;
  }

  const clients = intParam(q, 'clients', 2, 2, 8, problems);
  const heartbeat = q.get('heartbeat') === null ? null : intParam(q, 'heartbeat', 25000, 100, 600000, problems);
  const lifetimeS = q.get('lifetime') === null ? null : intParam(q, 'lifetime', 100, 2, 86400, problems);

  const topic = q.get('topic') ?? 'room1';
  if (!/^[\w:.-]{1,100}$/.test(topic)) problems.push(`topic "${topic}" has unusual characters; used as given`);

  let devBase = q.get('dev') ?? url;
  try {
    devBase = new URL(devBase).origin;
  } catch {
    problems.push(`dev is not a URL: "${devBase}"; using ${url}`);
    devBase = url;
  }

  return {
    config: {
      url,
      key: key && key.trim() !== '' ? key.trim() : null,
      vsn,
      scenario,
      worker: q.get('worker') === '1' || q.get('worker') === 'true',
      clients,
      topic,
      heartbeatMs: heartbeat,
      lifetimeS,
      devBase,
      source: q.get('source') ?? defaultSource,
    },
    problems,
  };
}

function intParam(q: URLSearchParams, name: string, dflt: number, min: number, max: number, problems: string[]): number {
  const raw = q.get(name);
  if (raw === null) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be an integer in ${min}..${max}, got "${raw}"; using ${dflt}`);
    return dflt;
  }
  return n;
}
