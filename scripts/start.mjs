#!/usr/bin/env node
// `npm start`: build the extension and the demo app, start the local Realtime+Auth server serving
// the demo, and open Chromium with the extension loaded and DevTools open on the demo page, on the
// Claimscope panel (over CDP on Chromium's --remote-debugging-pipe: scripts/devtools-panel.mjs).
//
//   npm start                        headed Chromium (needs a display)
//   CLAIMSCOPE_HEADLESS=1 npm start  headless Chromium; prints the demo URL and a DevTools endpoint
//   npm start -- --no-launch         only the server + demo app; prints the URLs
//   npm start -- --no-build          skip both builds (use what is in dist/)
//   npm start -- --port 54321        fixed port (default: 54321, or a free one if taken)
//
// Ctrl-C (or closing the browser window) stops everything this script started.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const extensionDir = join(root, 'dist', 'chrome');
const appDir = join(root, 'dist', 'app');

const args = process.argv.slice(2);
const opt = {
  launch: !args.includes('--no-launch'),
  build: !args.includes('--no-build'),
  headless: /^(1|true|yes)$/i.test(process.env.CLAIMSCOPE_HEADLESS ?? ''),
  port: 54321,
};
const portIdx = args.indexOf('--port');
if (portIdx >= 0) {
  const p = Number(args[portIdx + 1]);
  if (!Number.isInteger(p) || p < 0 || p > 65535) fail(`--port needs a port number (0..65535), got "${args[portIdx + 1] ?? ''}"`);
  opt.port = p;
}
for (const a of args) {
  if (a.startsWith('--') && !['--no-launch', '--no-build', '--port'].includes(a)) {
    fail(`unknown option ${a}\nusage: npm start [-- --no-launch] [--no-build] [--port N]   (CLAIMSCOPE_HEADLESS=1 for headless)`);
  }
}

function say(msg) {
  process.stdout.write(`[claimscope] ${msg}\n`);
}
function fail(msg) {
  process.stderr.write(`[claimscope] ${msg}\n`);
  process.exit(1);
}

// ---- 1. Find a browser and a display first: fail fast, before building anything. ----
const chrome = opt.launch ? findChromium() : null;
if (opt.launch && !opt.headless && process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  fail(
    [
      'no display: neither DISPLAY nor WAYLAND_DISPLAY is set, so a browser window cannot open here.',
      'Options:',
      '  CLAIMSCOPE_HEADLESS=1 npm start   headless Chromium; prints the demo URL and a DevTools endpoint, stays up until Ctrl-C',
      '  xvfb-run npm start                a virtual display (apt-get install xvfb)',
      '  npm start -- --no-launch          only the local server and the demo app; open the printed URL yourself',
    ].join('\n'),
  );
}

function findChromium() {
  const candidates = [];
  if (process.env.CHROME_PATH) {
    if (!existsSync(process.env.CHROME_PATH)) fail(`CHROME_PATH=${process.env.CHROME_PATH} does not exist`);
    candidates.push(process.env.CHROME_PATH);
  }
  try {
    const require = createRequire(import.meta.url);
    const pw = require('playwright-core').chromium.executablePath();
    if (pw) candidates.push(pw);
  } catch {
    // playwright-core missing or without a browser: try the system ones.
  }
  candidates.push('/usr/bin/chromium', '/usr/bin/chromium-browser');
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    fail(
      [
        'no Chromium found. Looked at: CHROME_PATH, Playwright\'s Chromium, /usr/bin/chromium, /usr/bin/chromium-browser.',
        'Install one:',
        '  Debian/Ubuntu:               sudo apt-get install chromium',
        '  a laptop with internet:      npx playwright install chromium',
        '  or point CHROME_PATH at a Chromium binary.',
        'Branded Google Chrome 137+ ignores --load-extension, so it cannot be used here;',
        'with Chrome, load dist/chrome by hand from chrome://extensions (Developer mode → Load unpacked).',
        'Or run `npm start -- --no-launch` and open the printed URL in a browser where the extension is loaded.',
      ].join('\n'),
    );
  }
  if (/google-chrome|Google Chrome/.test(found)) {
    say(`warning: ${found} looks like branded Google Chrome; Chrome 137+ ignores --load-extension. Prefer Chromium.`);
  }
  return found;
}

// ---- 2. Build. ----
function run(cmd, cmdArgs, what) {
  say(`${what}: ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.error) fail(`${what} could not start: ${r.error.message}`);
  if (r.status !== 0) fail(`${what} failed (exit ${r.status}); fix the error above and run npm start again`);
}
if (opt.build) {
  run('npm', ['run', '--silent', 'build'], 'building the extension');
  run('npx', ['--no-install', 'vite', 'build', '--config', 'e2e/app.vite.config.ts'], 'building the demo app');
}
if (!existsSync(join(appDir, 'index.html'))) fail(`${appDir}/index.html is missing; run without --no-build`);
if (opt.launch && !existsSync(join(extensionDir, 'manifest.json'))) fail(`${extensionDir}/manifest.json is missing; run without --no-build`);

// ---- 3. Server (TypeScript, loaded in this process through tsx). ----
const { tsImport } = await import('tsx/esm/api');
const { startDemoServer } = await tsImport('./start-server.ts', import.meta.url);
const { openClaimscopePanel, PipeCdp } = await import('./devtools-panel.mjs');
let demo;
try {
  demo = await startDemoServer({ port: opt.port, appDir });
} catch (e) {
  if (e && e.code === 'EADDRINUSE' && portIdx < 0) {
    say(`port ${opt.port} is taken; using a free port`);
    demo = await startDemoServer({ port: 0, appDir });
  } else {
    fail(`the local server did not start: ${e instanceof Error ? e.message : String(e)}`);
  }
}

say(`local Supabase (Realtime + Auth) server: ${demo.url}  (project ${demo.ref}; also ${demo.realisticUrl} with the host rule)`);
say(`demo app:                 ${demo.appUrl}`);
say(`demo app, realistic host: ${demo.realisticAppUrl}   (Chromium maps *.supabase.co to 127.0.0.1)`);
say(`test user: ${demo.user.email} / ${demo.user.password}`);

// ---- 4. Browser. ----
let browser = null;
let profileDir = null;
let stopping = false;

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  if (browser && browser.exitCode === null && browser.signalCode === null) {
    const exited = new Promise((r) => browser.once('exit', r));
    browser.kill('SIGTERM');
    const timer = setTimeout(() => browser.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  await demo.close().catch(() => {});
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

if (!opt.launch) {
  say('--no-launch: server and demo app are up. Ctrl-C to stop.');
} else {
  profileDir = mkdtempSync(join(tmpdir(), 'claimscope-profile-'));
  const ext = realpathSync(extensionDir);
  const chromeArgs = [
    `--user-data-dir=${profileDir}`,
    `--disable-extensions-except=${ext}`,
    `--load-extension=${ext}`,
    '--auto-open-devtools-for-tabs',
    // CDP on file descriptors 3 and 4 (no port): to switch DevTools to the Claimscope panel.
    '--remote-debugging-pipe',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-component-update',
    '--disable-sync',
    // The demo uses a realistic https-less <ref>.supabase.co host on loopback.
    '--host-resolver-rules=MAP *.supabase.co 127.0.0.1',
  ];
  // Chromium refuses to run as root with its sandbox (CI containers run as root).
  if (process.getuid?.() === 0) chromeArgs.push('--no-sandbox');
  if (opt.headless) chromeArgs.push('--headless=new', '--disable-gpu', '--remote-debugging-port=0');
  chromeArgs.push(demo.realisticAppUrl);

  say(`launching ${chrome}${opt.headless ? ' (headless)' : ''} with ${ext}`);
  browser = spawn(chrome, chromeArgs, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  const cdp = new PipeCdp(browser.stdio[3], browser.stdio[4]);
  let stderrTail = '';
  browser.stderr.on('data', (d) => {
    stderrTail = (stderrTail + d.toString()).slice(-4000);
  });
  browser.on('error', (e) => {
    process.stderr.write(`[claimscope] could not start ${chrome}: ${e.message}\n`);
    void stop(1);
  });
  browser.on('exit', (code, signal) => {
    if (stopping) return;
    if (code !== 0 && signal === null) {
      process.stderr.write(`[claimscope] the browser exited with code ${code}. Its last output:\n${stderrTail}\n`);
      void stop(1);
    } else {
      say('the browser was closed');
      void stop(0);
    }
  });
  void reportDemoSocket();
  try {
    const { steps } = await openClaimscopePanel(cdp, { pageUrl: demo.realisticAppUrl.replace(/[?#].*$/, '') });
    say(`DevTools is open on the Claimscope panel (${steps} step${steps === 1 ? '' : 's'} from Elements)`);
  } catch (e) {
    if (!stopping) say(`could not switch DevTools to the Claimscope panel (${e instanceof Error ? e.message : String(e)}); pick it by hand: the "Claimscope" tab, or » when DevTools is narrow`);
  } finally {
    cdp.release();
  }
  if (opt.headless) {
    const endpoint = await devToolsEndpoint(profileDir);
    if (endpoint) say(`headless Chromium DevTools endpoint: ${endpoint}  (chrome://inspect → Configure → 127.0.0.1:${new URL(endpoint).port})`);
    say('headless: the demo page is open in the headless browser. Ctrl-C to stop.');
  } else {
    say('Chromium is open on the demo with DevTools. Ctrl-C here or close the browser to stop.');
  }
}

/** Tell the person whether the demo page actually reached the server (its socket is open). */
async function reportDemoSocket() {
  for (let i = 0; i < 150 && !stopping; i++) {
    if (demo.server.socketCount(demo.ref) > 0) {
      say(`the demo page is connected: ${demo.server.socketCount(demo.ref)} Realtime socket(s) open, topics ${JSON.stringify(demo.server.joinedTopics(demo.ref))}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!stopping) say('warning: no Realtime socket from the demo page after 15 s; open the demo URL above and look at its log');
}

/** Chromium writes the port of --remote-debugging-port=0 into <profile>/DevToolsActivePort. */
async function devToolsEndpoint(dir) {
  const file = join(dir, 'DevToolsActivePort');
  for (let i = 0; i < 100; i++) {
    if (existsSync(file)) {
      const [port, path] = readFileSync(file, 'utf8').split('\n');
      if (port && path) return `ws://127.0.0.1:${port}${path}`;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}
