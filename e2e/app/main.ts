/**
 * Entry of the demo page (index.html) and of its iframe page (frame.html): read the config from
 * the query string, show it, wire the scenario buttons, run `?scenario=` at load.
 */
import { readConfig, SCENARIO_NAMES, type AppConfig, type ScenarioName } from './config';
import { devConfig, type DevConfig } from './dev-client';
import { attachLog, observationsStore, observe, renderLine, type Observation } from './observe';
import { runScenario, type ScenarioContext } from './scenarios';

const BUTTON_LABELS: Record<ScenarioName, string> = {
  subscribe: 'Subscribe, broadcast both ways, presence',
  'two-clients': 'Two clients, same topic',
  iframe: 'Socket in an iframe',
  worker: 'realtime worker: true',
  'worker-socket': 'Socket opened by a Web Worker',
  'expired-token': 'Expired token',
  'expiring-mid-channel': 'Token expiring mid-channel',
  'missing-role': 'Token without role',
  'other-project': "Another project's token",
  'service-role': 'service_role key in the browser',
  'signout-publishable': 'Sign out with a publishable key',
  'hidden-refresh': 'Refresh while the tab is hidden',
  'expired-apikey': 'Expired apikey (connect refused)',
  'private-denied': 'Private channel, policy denies',
  'headers-only-token': 'User token only in global.headers (channel runs as anon)',
  'signed-in': 'Sign in, REST and Postgres Changes (healthy)',
  'silent-join': 'A join the server never answers',
};

export function start(isFrame: boolean): void {
  observationsStore();
  const { config, problems } = readConfig(location.search, location.origin, isFrame ? 'iframe' : 'A');
  const log = document.getElementById('log');
  if (log) attachLog(log);
  for (const p of problems) observe(config.source, 'error', `config: ${p}`);
  showConfig(config);
  if (!isFrame) collectFrameObservations();
  recordLifecycle(config.source);

  let devPromise: Promise<DevConfig> | null = null;
  const ctx: ScenarioContext = {
    cfg: config,
    dev: () => (devPromise ??= devConfig(config.devBase)),
    frameHost: isFrame ? null : document.getElementById('frames'),
  };

  const buttons = document.getElementById('scenarios');
  if (buttons) {
    for (const name of SCENARIO_NAMES) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.scenario = name;
      b.textContent = BUTTON_LABELS[name];
      b.title = `scenario=${name}`;
      b.addEventListener('click', () => void runScenario(name, ctx));
      buttons.append(b);
    }
  }
  if (config.scenario) void runScenario(config.scenario, ctx);
}

function showConfig(cfg: AppConfig): void {
  const el = document.getElementById('config');
  if (!el) return;
  const key = cfg.key ? `${cfg.key.slice(0, 16)}…` : '(anon key from /__dev/config)';
  el.textContent = `url ${cfg.url} · key ${key} · vsn ${cfg.vsn} · topic ${cfg.topic}${cfg.worker ? ' · worker' : ''}`;
}

/** The top page's log also shows what the iframe observed (it posts each observation up). */
function collectFrameObservations(): void {
  addEventListener('message', (ev: MessageEvent) => {
    const d = ev.data as { __claimscopeDemo?: unknown; observation?: Partial<Observation> } | null;
    if (!d || d.__claimscopeDemo !== 'observation' || !d.observation) return;
    const o = d.observation;
    if (typeof o.kind !== 'string' || typeof o.text !== 'string' || typeof o.source !== 'string' || typeof o.stable !== 'string') return;
    const clean = { source: o.source, kind: o.kind, text: o.text, stable: o.stable } as Observation;
    observationsStore().push(clean);
    renderLine(clean);
  });
}

/** Page lifecycle the app itself sees (what explains a token expiring in a background tab, §5.4). */
function recordLifecycle(source: string): void {
  document.addEventListener('visibilitychange', () => observe(source, 'page', `visibilitychange ${document.visibilityState}`));
  document.addEventListener('freeze', () => observe(source, 'page', 'freeze'));
  document.addEventListener('resume', () => observe(source, 'page', 'resume'));
}
