#!/usr/bin/env node
// Firefox ESR runtime smoke test (issue 3, last "Done when" bullet): real Firefox ESR, headless,
// with the built dist/firefox installed temporarily, against the local Realtime server (e2e/server).
//
//   1. Baseline: the fixture page (e2e/firefox/page.html) opens a Realtime socket at load, sends a
//      phx_join, then a binary broadcast the server echoes back, and reports to the local server what IT observed (socket opened, join reply,
//      `instanceof WebSocket`, native-looking constructor, constants). No extension installed.
//   2. dist/firefox is installed as a temporary add-on; the same page is loaded again and must
//      report exactly the same observations (the hook changes nothing the page can see).
//   3. Capture is proven through the extension itself, not through the page (the hook is invisible
//      to pages by design, so a page cannot honestly report "I was captured"): the Claimscope panel
//      is opened in a second tab as moz-extension://<uuid>/src/panel/panel.html?tabId=<page tab>
//      and its DOM must show the socket URL, the socket opening, the phx_join sent and its
//      phx_reply received, a binary kind-3 broadcast push decoded (event and payload) and its
//      kind-4 fan-out, on the smoke topic, all captured before the panel existed, and the
//      upgrade's HTTP 101 seen by the background's webRequest observer.
//   4. With the panel still open, the tab navigates to the same page with an expired apikey: the
//      server refuses the upgrade; the page's observations equal its baseline without the
//      extension, and the panel follows the tab and shows a refused connection with HTTP 401
//      (Firefox's webRequest reports a refused upgrade's status; Chromium's does not), and the
//      Findings view names it (server-connect-refused, token-expired).
//   5. The popup page, opened as a tab (moz-extension://<uuid>/src/popup/popup.html?tabId=…), decodes
//      a pasted expired token (class, token-expired, join refused, signature never shown) and
//      verifies it with the project's JWT secret typed into its key field.
//
// Env: FIREFOX_PATH (default /usr/bin/firefox-esr), FIREFOX_SMOKE_TIMEOUT_MS (default 60000),
// FIREFOX_SMOKE_VERBOSE=1 (step timings and what the panel showed, on stderr).
// Driving: WebDriver BiDi straight to Firefox (`--remote-debugging-port=0`), not `web-ext run`,
// because the smoke must read the panel. `--remote-allow-system-access` is needed only so BiDi may
// navigate a tab to a moz-extension:// page (Firefox refuses it otherwise: "Navigation to … is not
// allowed in this context"). The moz-extension UUID is fixed through the profile's
// `extensions.webextensions.uuids` pref. Playwright cannot drive Debian's Firefox.
//
// Output: one line. Exit 0 on success, 1 with the reason otherwise. Everything is bounded by one
// deadline; Firefox (its whole process group) and the server are always stopped.
// Firefox's own output goes to test-results/firefox-smoke.log for diagnosis.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEADLINE_MS = Number(process.env.FIREFOX_SMOKE_TIMEOUT_MS) || 60_000;
const root = fileURLToPath(new URL('..', import.meta.url));
// FIREFOX_SMOKE_EXT_DIR: another build to try (used to check that a broken build fails the smoke).
const extDir = process.env.FIREFOX_SMOKE_EXT_DIR || join(root, 'dist', 'firefox');
const pageFile = join(root, 'e2e', 'firefox', 'page.html');
const logFile = join(root, 'test-results', 'firefox-smoke.log');
/** Fixed moz-extension UUID so the panel URL is known before install. */
const EXT_UUID = '6f1c2b7e-3a54-4d9b-9e21-c1a5d0f4b8e3';
const TOPIC = 'realtime:firefox-smoke';

const started = Date.now();
let stepName = 'starting';
const verbose = process.env.FIREFOX_SMOKE_VERBOSE === '1';
/** Names the step in progress for failure messages (and times it on stderr with FIREFOX_SMOKE_VERBOSE=1). */
function at(name) {
  if (verbose) process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${name}\n`);
  stepName = name;
}
let firefox; // ChildProcess
let profileDir;
let server;
let bidi; // WebSocket
let cleaning;

class SmokeFailure extends Error {}
const fail = (reason) => {
  throw new SmokeFailure(reason);
};

function findFirefox() {
  const candidates = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'].filter(Boolean);
  return candidates.find((p) => existsSync(p));
}

async function cleanup() {
  cleaning ??= (async () => {
    try {
      bidi?.terminate();
    } catch {}
    if (firefox && firefox.exitCode === null && firefox.signalCode === null) {
      const exited = new Promise((r) => firefox.once('exit', r));
      // Firefox runs content processes as children: stop its whole process group (it was spawned
      // detached, so the group id is its pid and contains only what this script started).
      const killGroup = (sig) => {
        try {
          process.kill(-firefox.pid, sig);
        } catch {}
      };
      killGroup('SIGTERM');
      const t = setTimeout(() => killGroup('SIGKILL'), 3_000);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      clearTimeout(t);
      killGroup('SIGKILL'); // stragglers of the group, if any
    }
    try {
      await Promise.race([server?.close(), new Promise((r) => setTimeout(r, 2_000))]);
    } catch {}
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  })();
  return cleaning;
}

async function finish(ok, message) {
  await cleanup();
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`firefox smoke: ${ok ? 'PASS' : 'FAIL'} — ${message} (${secs} s)`);
  process.exit(ok ? 0 : 1);
}

const deadline = setTimeout(() => {
  void finish(false, `timed out after ${DEADLINE_MS / 1000} s while ${stepName}`);
}, DEADLINE_MS);
deadline.unref();
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => void finish(false, `interrupted by ${sig} while ${stepName}`));

/** Resolves with `promise`, or fails after `ms` with a message naming what was awaited. */
function within(ms, promise, what) {
  let t;
  return Promise.race([promise, new Promise((_, reject) => (t = setTimeout(() => reject(new SmokeFailure(`${what} took over ${ms / 1000} s`)), ms)))]).finally(() => clearTimeout(t));
}

// ---- the local Realtime server, with the fixture page and the page's report endpoint ----------
const reports = []; // observation objects, in arrival order
const reportWaiters = [];

async function startLocalServer() {
  // The server is TypeScript; tsx's API loads it without a build step.
  const { tsImport } = await import('tsx/esm/api');
  const { startServer } = await tsImport(join(root, 'e2e', 'server', 'index.ts'), import.meta.url);
  const page = readFileSync(pageFile);
  return startServer({
    knobs: { connectBackoffMs: 50, channelBackoffMs: 50 },
    sampleUser: false,
    routes: [
      (req, res, url) => {
        if (url.pathname === '/smoke/page.html' && req.method === 'GET') {
          res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
          res.end(page);
          return true;
        }
        if (url.pathname === '/smoke/report' && req.method === 'POST') {
          let body = '';
          req.setEncoding('utf8');
          req.on('data', (d) => {
            if (body.length < 64 * 1024) body += d;
          });
          req.on('end', () => {
            let parsed;
            try {
              parsed = JSON.parse(body);
            } catch {
              parsed = { error: `unparsable report: ${body.slice(0, 80)}` };
            }
            reports.push(parsed);
            reportWaiters.splice(0).forEach((w) => w());
            res.writeHead(204).end();
          });
          return true;
        }
        return false;
      },
    ],
  });
}

function nextReport(count) {
  if (reports.length >= count) return Promise.resolve(reports[count - 1]);
  return new Promise((resolve) => {
    const check = () => (reports.length >= count ? resolve(reports[count - 1]) : reportWaiters.push(check));
    reportWaiters.push(check);
  });
}

// ---- Firefox and WebDriver BiDi -----------------------------------------------------------------
async function startFirefox(binary, geckoId) {
  profileDir = mkdtempSync(join(tmpdir(), 'claimscope-ffsmoke-'));
  // Pin the extension's moz-extension UUID, so its panel URL is known. Keep the profile quiet.
  const prefs = {
    'extensions.webextensions.uuids': JSON.stringify({ [geckoId]: EXT_UUID }),
    'browser.shell.checkDefaultBrowser': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.reportingpolicy.firstRun': false,
    'app.update.disabledForTesting': true,
  };
  writeFileSync(join(profileDir, 'user.js'), Object.entries(prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`).join(''));
  mkdirSync(join(root, 'test-results'), { recursive: true });
  const log = createWriteStream(logFile);
  firefox = spawn(binary, ['--headless', '--no-remote', '--profile', profileDir, '--remote-debugging-port=0', '--remote-allow-system-access'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so cleanup stops its content processes too
    env: { ...process.env, MOZ_HEADLESS: '1' },
  });
  const exited = new Promise((_, reject) =>
    firefox.once('exit', (code, signal) => reject(new SmokeFailure(`Firefox exited early (${signal ?? `code ${code}`}); see ${logFile}`))),
  );
  exited.catch(() => {});
  const port = new Promise((resolve) => {
    let seen = '';
    const onData = (d) => {
      log.write(d);
      if (seen === null) return;
      seen += d;
      const m = /WebDriver BiDi listening on (ws:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (m) {
        seen = null;
        resolve(m[1]);
      } else if (seen.length > 1e6) seen = seen.slice(-4096);
    };
    firefox.stdout.on('data', onData);
    firefox.stderr.on('data', onData);
  });
  return within(20_000, Promise.race([port, exited]), 'Firefox start-up');
}

async function connectBidi(wsBase) {
  const { default: WebSocket } = await import('ws');
  bidi = new WebSocket(`${wsBase}/session`);
  const pending = new Map();
  let nextId = 0;
  await within(10_000, new Promise((resolve, reject) => {
    bidi.once('open', resolve);
    bidi.once('error', (e) => reject(new SmokeFailure(`cannot connect to WebDriver BiDi: ${e.message}`)));
  }), 'connecting to WebDriver BiDi');
  bidi.on('message', (data) => {
    let msg;
    try {
      msg = JSON.parse(String(data));
    } catch {
      return;
    }
    const waiter = msg.id !== undefined && pending.get(msg.id);
    if (!waiter) return;
    pending.delete(msg.id);
    if (msg.type === 'error') waiter.reject(new SmokeFailure(`BiDi ${waiter.method} failed: ${msg.error}: ${msg.message}`));
    else waiter.resolve(msg.result);
  });
  bidi.on('close', () => pending.forEach((w) => w.reject(new SmokeFailure(`BiDi connection closed during ${w.method}`))));
  return (method, params, ms = 15_000) => {
    const id = ++nextId;
    const done = new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
    bidi.send(JSON.stringify({ id, method, params }));
    return within(ms, done, `BiDi ${method}`);
  };
}

/** Evaluates `expression` (may return a promise) in `context`; returns the JSON-decoded string result. */
async function evalJson(send, context, expression) {
  const r = await send('script.evaluate', { expression: `Promise.resolve(${expression}).then((v) => JSON.stringify(v))`, target: { context }, awaitPromise: true });
  if (r.type === 'exception') fail(`script error in ${context}: ${r.exceptionDetails?.text ?? 'unknown'}`);
  return r.result?.type === 'string' ? JSON.parse(r.result.value) : undefined;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** What the panel shows: read from its DOM through the stable data-testid hooks. */
const READ_PANEL = `(async () => {
  const q = (s) => Array.from(document.querySelectorAll(s));
  const status = document.querySelector('[data-testid=capture-status]');
  const frames = q('[data-testid=frame-row]').map((r) => ({ event: r.dataset.event, topic: r.dataset.topic, dir: r.dataset.dir }));
  const sockets = q('[data-testid=socket-row]').map((r) => ({ kind: r.dataset.kind, text: r.textContent }));
  // The binary kind-3 push: select it and read its decoded details (event and payload).
  const push = q('[data-testid=frame-row]').find((r) => r.dataset.event === 'broadcast' && r.dataset.dir === 'sent');
  let pushDetails = '';
  if (push) {
    push.click();
    await new Promise((r) => setTimeout(r, 50));
    pushDetails = document.querySelector('[data-testid=frame-details]')?.textContent ?? '';
  }
  const problems = q('[data-testid=problem], [data-testid=link-broken]').map((e) => e.textContent);
  const tab = document.querySelector('[data-testid=view-connections]');
  let connections = [];
  if (tab) {
    tab.click();
    await new Promise((r) => setTimeout(r, 50));
    connections = q('[data-testid=connection-row]').map((r) => ({
      state: r.dataset.state,
      url: r.querySelector('[data-testid=connection-url]')?.textContent ?? '',
      facts: r.querySelector('.card-facts')?.textContent ?? '',
      explanation: r.querySelector('[data-testid=refused-explanation]')?.textContent ?? '',
    }));
    document.querySelector('[data-testid=view-frames]')?.click();
  }
  return { status: status?.dataset.status ?? null, statusText: status?.textContent ?? '', frames, sockets, pushDetails, problems, connections };
})()`;

/** The codes of the finding rows in the panel's Findings view (opened by its tab). */
const READ_FINDINGS = `(async () => {
  document.querySelector('[data-testid=view-findings]')?.click();
  await new Promise((r) => setTimeout(r, 100));
  const codes = Array.from(document.querySelectorAll('[data-testid=finding-row]')).map((r) => r.dataset.code);
  document.querySelector('[data-testid=view-frames]')?.click();
  return codes;
})()`;

/**
 * Types `value` into the popup field `field` (as a user would: value, then an input event), clicks
 * `button` if given, and waits for `[data-testid=<waitFor>]`; returns what the decode shows.
 */
function readPopupAfter(field, value, waitFor, button) {
  const [testid, attr] = waitFor.split('[');
  const selector = `[data-testid=${testid}]${attr ? `[${attr}` : ''}`;
  return `(async () => {
    const input = document.querySelector('[data-testid=${field}]');
    if (!input) return { error: 'no ${field} in the popup' };
    input.focus();
    input.value = ${JSON.stringify(value)};
    input.dispatchEvent(new Event('input', { bubbles: true }));
    ${button ? `await new Promise((r) => setTimeout(r, 50)); document.querySelector('[data-testid=${button}]')?.click();` : ''}
    const read = () => {
      const r = document.querySelector('[data-testid=decode-result]');
      return {
        cls: r?.dataset.class,
        codes: r ? Array.from(r.querySelectorAll('[data-testid=finding-row]')).map((e) => e.dataset.code) : [],
        join: r?.querySelector('[data-testid=predicted-join]')?.dataset.accepted,
        signature: r?.querySelector('[data-testid=signature-status]')?.dataset.status,
        text: r?.textContent ?? '',
      };
    };
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (document.querySelector(${JSON.stringify(selector)})) return read();
    }
    return { error: 'no ${waitFor} within 5 s', ...read() };
  })()`;
}

function missingFromPanel(view, serverPort) {
  const missing = [];
  if (view.problems.length) missing.push(`panel problem: ${view.problems.join(' / ').slice(0, 160)}`);
  if (view.status !== 'capturing') missing.push(`capture-status ${view.status ?? 'absent'}`);
  const conn = view.connections.find((c) => c.url.includes(`127.0.0.1:${serverPort}/realtime/v1/websocket`));
  if (!conn) missing.push(`connection with the socket URL (saw ${JSON.stringify(view.connections.map((c) => c.url))})`);
  else if (conn.state !== 'open') missing.push(`connection state open (saw ${conn.state})`);
  // The background's webRequest observer (Firefox reports the upgrade's 101, unlike a refused one).
  else if (!/upgrade HTTP 101/.test(conn.facts)) missing.push(`the upgrade's HTTP 101 from webRequest (saw ${JSON.stringify(conn.facts)})`);
  if (!view.sockets.some((s) => s.kind === 'ws-connecting' && s.text.includes('/realtime/v1/websocket'))) missing.push('socket connecting line');
  if (!view.sockets.some((s) => s.kind === 'ws-open')) missing.push('socket open line');
  if (!view.frames.some((f) => f.event === 'phx_join' && f.topic === TOPIC && f.dir === 'sent')) missing.push(`sent phx_join on ${TOPIC}`);
  if (!view.frames.some((f) => f.event === 'phx_reply' && f.topic === TOPIC && f.dir === 'received')) missing.push(`received phx_reply on ${TOPIC}`);
  for (const dir of ['sent', 'received'])
    if (!view.frames.some((f) => f.event === 'broadcast' && f.topic === TOPIC && f.dir === dir)) missing.push(`binary broadcast ${dir} on ${TOPIC}`);
  if (!/smoke-event/.test(view.pushDetails) || !/hello/.test(view.pushDetails) || !/firefox/.test(view.pushDetails))
    missing.push(`the kind-3 push decoded to event smoke-event and payload {hello:'firefox'} (details: ${JSON.stringify(view.pushDetails.slice(0, 160))})`);
  return missing;
}

function describeObservations(o) {
  const { opened, readyStateAtOpen, instanceOf, nativeLooking, constants, binaryType, reply, echo, error } = o;
  return JSON.stringify({ opened, readyStateAtOpen, instanceOf, nativeLooking, constants, binaryType, reply, echo, error });
}

// ---- the smoke --------------------------------------------------------------------------------
async function main() {
  at('checking prerequisites');
  const manifestPath = join(extDir, 'manifest.json');
  if (!existsSync(manifestPath)) fail(`${manifestPath} is missing: run npm run build first`);
  const geckoId = JSON.parse(readFileSync(manifestPath, 'utf8'))?.browser_specific_settings?.gecko?.id;
  if (typeof geckoId !== 'string' || !geckoId) fail('dist/firefox/manifest.json has no browser_specific_settings.gecko.id');
  const binary = findFirefox();
  if (!binary) fail('no Firefox found (set FIREFOX_PATH, or apt-get install -y firefox-esr)');

  at('starting the local server');
  server = await within(15_000, startLocalServer(), 'starting the local server');
  const serverPort = new URL(server.url).port;
  const pageUrl = (run) => `${server.url}/smoke/page.html?apikey=${encodeURIComponent(server.defaultProject.anonKey)}&run=${run}`;

  at('starting Firefox');
  const wsBase = await startFirefox(binary, geckoId);
  const send = await connectBidi(wsBase);
  const session = await send('session.new', { capabilities: {} });
  const version = `${session.capabilities?.browserName ?? 'firefox'} ${session.capabilities?.browserVersion ?? '?'}`;
  const tree = await send('browsingContext.getTree', {});
  const pageCtx = tree.contexts?.[0]?.context;
  if (!pageCtx) fail('Firefox has no browsing context');

  at('loading the page without the extension (baseline)');
  await send('browsingContext.navigate', { context: pageCtx, url: pageUrl('baseline'), wait: 'complete' });
  const baseline = await within(12_000, nextReport(1), 'the baseline page report');
  if (baseline.error || !baseline.opened || baseline.reply?.status !== 'ok' || baseline.echo?.kind !== 4)
    fail(`baseline page (no extension) did not join: ${describeObservations(baseline)}`);

  // A connect the server refuses (expired apikey, realtime-facts §3.1): what the page sees of it.
  const now = Math.floor(Date.now() / 1000);
  const expiredKey = await server.mintToken({ iss: 'supabase', ref: server.defaultProject.ref, role: 'anon', iat: now - 7200, exp: now - 3600 });
  const refusedUrl = (run) => `${server.url}/smoke/page.html?apikey=${encodeURIComponent(expiredKey)}&run=${run}`;
  await send('browsingContext.navigate', { context: pageCtx, url: refusedUrl('baseline'), wait: 'complete' });
  const baselineRefused = await within(12_000, nextReport(2), 'the baseline refused-page report');
  if (baselineRefused.opened || baselineRefused.reply) fail(`the server did not refuse an expired apikey: ${describeObservations(baselineRefused)}`);

  at('installing dist/firefox');
  const installed = await send('webExtension.install', { extensionData: { type: 'path', path: extDir } });
  if (installed.extension !== geckoId) fail(`installed extension id ${installed.extension}, expected ${geckoId}`);

  at('loading the page with the extension');
  const capturedUrl = pageUrl('captured');
  await send('browsingContext.navigate', { context: pageCtx, url: capturedUrl, wait: 'complete' });
  const withExt = await within(12_000, nextReport(3), 'the page report with the extension');
  if (describeObservations(withExt) !== describeObservations(baseline))
    fail(`the page observed something different with the extension: ${describeObservations(withExt)} vs without: ${describeObservations(baseline)}`);
  if (!server.joinedTopics().includes(TOPIC)) fail(`the server does not see ${TOPIC} joined`);

  at('opening the Claimscope panel');
  const panelBase = `moz-extension://${EXT_UUID}/src/panel/panel.html`;
  const panelCtx = (await send('browsingContext.create', { type: 'tab' })).context;
  await send('browsingContext.navigate', { context: panelCtx, url: panelBase, wait: 'complete' });
  // The page's extension tab id, as the extension sees it (BiDi context ids are not tab ids).
  const tabs = await evalJson(send, panelCtx, `browser.tabs.query({}).then((ts) => ts.map((t) => ({ id: t.id, url: t.url })))`);
  const pageTab = Array.isArray(tabs) ? tabs.find((t) => t.url === capturedUrl) : undefined;
  if (!pageTab) fail(`the extension does not see the page's tab (tabs: ${JSON.stringify(tabs)?.slice(0, 200)})`);
  await send('browsingContext.navigate', { context: panelCtx, url: `${panelBase}?tabId=${pageTab.id}`, wait: 'complete' });

  at('reading the panel');
  let view;
  let missing = ['nothing read'];
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    view = await evalJson(send, panelCtx, READ_PANEL);
    missing = missingFromPanel(view, serverPort);
    if (!missing.length) break;
    await sleep(250);
  }
  if (missing.length) fail(`the panel lacks: ${missing.join('; ')} (status text: ${JSON.stringify(view?.statusText?.slice(0, 120))})`);

  const conn = view.connections.find((c) => c.url.includes('/realtime/v1/websocket'));
  const joins = view.frames.filter((f) => f.event === 'phx_join').length;
  if (verbose) process.stderr.write(`panel: ${JSON.stringify(view)}\n`);

  // The open panel follows the tab to its next document (preserve log), here a refused connect:
  // the page's observations are unchanged, and the panel shows a refused connection with the
  // status Firefox exposes (its webRequest reports the upgrade's 401, unlike Chromium).
  at('loading a page whose connect is refused, with the panel open');
  await send('browsingContext.navigate', { context: pageCtx, url: refusedUrl('captured'), wait: 'complete' });
  const refusedWithExt = await within(12_000, nextReport(4), 'the refused-page report with the extension');
  if (describeObservations(refusedWithExt) !== describeObservations(baselineRefused))
    fail(`the refused page observed something different with the extension: ${describeObservations(refusedWithExt)} vs without: ${describeObservations(baselineRefused)}`);
  let refused;
  const refusedUntil = Date.now() + 10_000;
  while (Date.now() < refusedUntil && !refused) {
    const v = await evalJson(send, panelCtx, READ_PANEL);
    refused = v.connections.find((c) => c.state === 'refused');
    if (!refused) await sleep(250);
  }
  if (!refused) fail('the open panel shows no refused connection after the tab navigated to a page whose connect was refused');
  const refusedStatus = /HTTP (\d{3})/.exec(refused.explanation)?.[1];
  if (verbose) process.stderr.write(`refused: ${JSON.stringify(refused)}\n`);
  if (refusedStatus !== '401') fail(`the refused connection does not show Firefox's HTTP 401 (explanation: ${JSON.stringify(refused.explanation.slice(0, 200))})`);

  // The Findings view (the panel's default) names the refusal and its cause: the expired apikey.
  at('reading the findings view');
  let findingCodes = [];
  const findingsUntil = Date.now() + 10_000;
  while (Date.now() < findingsUntil && !findingCodes.includes('server-connect-refused')) {
    findingCodes = await evalJson(send, panelCtx, READ_FINDINGS);
    if (!findingCodes.includes('server-connect-refused')) await sleep(250);
  }
  if (!findingCodes.includes('server-connect-refused') || !findingCodes.includes('token-expired'))
    fail(`the findings view does not show the refused connect and its expired apikey: ${JSON.stringify(findingCodes)}`);

  // 5. The popup page (the toolbar button's page) opened as a tab: a pasted expired token is
  //    decoded and judged, then verified with the project's JWT secret typed into the key field.
  at('decoding a pasted token in the popup');
  const popupCtx = (await send('browsingContext.create', { type: 'tab' })).context;
  await send('browsingContext.navigate', { context: popupCtx, url: `moz-extension://${EXT_UUID}/src/popup/popup.html?tabId=${pageTab.id}`, wait: 'complete' });
  const pasted = await server.mintToken({ iss: `${server.url}/auth/v1`, sub: 'firefox-smoke-user', aud: 'authenticated', role: 'authenticated', iat: now - 7200, exp: now - 120 });
  const decoded = await evalJson(send, popupCtx, readPopupAfter('paste-box', pasted, 'decode-result'));
  if (decoded.error) fail(`popup: ${decoded.error}`);
  if (decoded.cls !== 'user-access-token' || !decoded.codes.includes('token-expired') || decoded.join !== 'false' || decoded.signature !== 'unverified')
    fail(`the popup did not decode the pasted expired token as expected: ${JSON.stringify({ ...decoded, text: undefined })}`);
  if (decoded.text.includes(pasted.split('.')[2])) fail('the popup shows the pasted token\'s signature');
  const verified = await evalJson(send, popupCtx, readPopupAfter('key-input', server.defaultProject.jwtSecret, 'signature-status[data-status=valid]', 'key-apply'));
  if (verified.error) fail(`popup verify: ${verified.error} (signature ${verified.signature ?? '?'})`);

  at('stopping Firefox and the server');
  await finish(
    true,
    `${version} with dist/firefox: the panel shows ${conn.url.replace(/\?.*/, '')} open (upgrade HTTP 101), ${joins} phx_join sent and its phx_reply, a binary broadcast decoded both ways, on ${TOPIC}; a refused connect shown as refused with HTTP ${refusedStatus} and in the findings view (${findingCodes.filter((c) => c === 'server-connect-refused' || c === 'token-expired').join(', ')}); page observations identical with and without the extension; the popup decodes a pasted expired token (${decoded.codes.join(', ')}; join refused) and verifies it with the JWT secret`,
  );
}

main().catch((error) => finish(false, error instanceof SmokeFailure ? `${error.message} [while ${stepName}]` : `unexpected error while ${stepName}: ${error?.stack ?? error}`));
