// Launching Chromium for the benchmark: a fresh profile each time, headless, over raw CDP
// (--remote-debugging-port=0 listens on 127.0.0.1; the port is in <profile>/DevToolsActivePort).
// Also: the CPU time of the browser's process tree from /proc, and a guard against timing while
// another Chromium (an e2e run, say) competes for the machine's two cores.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cdp } from './cdp';

export const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const CLK_TCK = 100; // getconf CLK_TCK on Linux/x86-64 and arm64

export interface LaunchOptions {
  /** Unpacked extension folders to load (none: the baseline). */
  extensions?: string[];
  extraArgs?: string[];
}

export interface Browser {
  pid: number;
  cdp: Cdp;
  profile: string;
  close(): Promise<void>;
}

/** Every browser this process started and has not closed yet (killed on exit, whatever happens). */
const live = new Set<ChildProcess>();
function killAll(): void {
  for (const p of live) {
    try {
      if (p.pid) process.kill(-p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

export async function launch(opts: LaunchOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium, or set CHROME_PATH`);
  const profile = mkdtempSync(join(tmpdir(), 'claimscope-bench-'));
  const exts = opts.extensions ?? [];
  const args = [
    '--headless=new',
    '--remote-debugging-port=0',
    `--user-data-dir=${profile}`,
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-default-apps',
    '--disable-breakpad',
    '--mute-audio',
    // Same scheduling for every run, whichever tab is in front.
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows',
    '--disable-ipc-flooding-protection',
    ...(exts.length ? [`--disable-extensions-except=${exts.join(',')}`, `--load-extension=${exts.join(',')}`] : ['--disable-extensions']),
    ...(opts.extraArgs ?? []),
    'about:blank',
  ];
  const child = spawn(CHROMIUM, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  let stderr = '';
  child.stderr!.on('data', (d) => {
    if (stderr.length < 20_000) stderr += String(d);
  });
  const kill = async () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    // Wait (bounded) for the whole process group, not only the browser process, to be gone.
    const deadline = Date.now() + 10_000;
    while ((child.exitCode === null && child.signalCode === null) || groupAlive(child.pid!)) {
      if (Date.now() > deadline) break;
      await sleep(50);
    }
    live.delete(child);
    rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    const portFile = join(profile, 'DevToolsActivePort');
    const deadline = Date.now() + 30_000;
    while (!existsSync(portFile) || readFileSync(portFile, 'utf8').split('\n').length < 2) {
      if (child.exitCode !== null) throw new Error(`Chromium exited (${child.exitCode}): ${stderr.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`Chromium wrote no DevToolsActivePort within 30 s: ${stderr.slice(-2000)}`);
      await sleep(50);
    }
    const [port, path] = readFileSync(portFile, 'utf8').trim().split('\n');
    const cdp = await Cdp.connect(`ws://127.0.0.1:${port}${path}`);
    return {
      pid: child.pid!,
      cdp,
      profile,
      async close() {
        cdp.close();
        await kill();
      },
    };
  } catch (e) {
    await kill();
    throw e;
  }
}

/** Whether any process of process group `pgid` is still there (zombies excepted). */
function groupAlive(pgid: number): boolean {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // f[0] state, f[1] ppid, f[2] pgrp
      if (Number(f[2]) === pgid && f[0] !== 'Z') return true;
    } catch {
      /* exited */
    }
  }
  return false;
}

// ---- CPU time of a process tree ------------------------------------------------------------

/** Sum of user+system CPU (own and reaped children's) of `root` and all its descendants, in ms. */
export function treeCpuMs(root: number): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // The command name is in parentheses and may hold spaces: split after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] = state (field 3); ppid field 4 -> f[1]; utime 14 -> f[11]; stime 15 -> f[12]; cutime 16, cstime 17.
    const pid = Number(name);
    parent.set(pid, Number(f[1]));
    ticks.set(pid, Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    let p: number | undefined = pid;
    for (let depth = 0; p !== undefined && p > 1 && depth < 64; depth++) {
      if (p === root) {
        total += t;
        break;
      }
      p = parent.get(p);
    }
  }
  return (total * 1000) / CLK_TCK;
}

/** Busy CPU time of the whole machine (all cores, /proc/stat: everything but idle and iowait), in ms. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user)
  const busy = f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0);
  return (busy * 1000) / CLK_TCK;
}

/** Chromium processes this benchmark did not start (an e2e run, a developer's browser). */
export function otherChromiums(own: Set<number> = ownPids()): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (own.has(pid)) continue;
    let comm = '';
    let state = '';
    try {
      comm = readFileSync(`/proc/${name}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch {
      continue;
    }
    // Zombies (dead, reparented to a pid 1 that does not reap them) use no CPU.
    if (state !== 'Z' && /^(chromium|chrome|headless_shell)$/.test(comm)) out.push(pid);
  }
  return out;
}

function ownPids(): Set<number> {
  const own = new Set<number>();
  const roots = new Set([...live].map((c) => c.pid!).filter(Boolean));
  if (!roots.size) return own;
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* exited */
    }
  }
  for (const pid of parent.keys()) {
    let p: number | undefined = pid;
    for (let depth = 0; p !== undefined && p > 1 && depth < 64; depth++) {
      if (roots.has(p)) {
        own.add(pid);
        break;
      }
      p = parent.get(p);
    }
  }
  return own;
}

/** CPU used over `ms` by everything on the machine except this Node process, as a share of one core. */
export async function otherLoad(ms = 1_000): Promise<number> {
  const busy0 = machineBusyMs();
  const node0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(ms);
  const node = process.cpuUsage(node0);
  const busy = machineBusyMs() - busy0 - (node.user + node.system) / 1000;
  return Math.max(0, busy) / (performance.now() - t0);
}

/**
 * Waits (bounded) until no other Chromium runs and the rest of the machine is near idle (under
 * `maxLoad` of one core over a second: a test suite or a build next to the benchmark shares the
 * two cores and skews every figure), so timings are not shared with other work.
 */
export async function waitForQuietMachine(log: (s: string) => void, maxWaitMs = 20 * 60_000, maxLoad = 0.1): Promise<{ waitedMs: number; quiet: boolean }> {
  const t0 = Date.now();
  let said = false;
  for (;;) {
    const others = otherChromiums();
    const load = others.length ? 1 : await otherLoad(1_000);
    if (!others.length && load < maxLoad) {
      if (said) log(`  machine quiet again after ${Math.round((Date.now() - t0) / 1000)} s`);
      return { waitedMs: Date.now() - t0, quiet: true };
    }
    if (Date.now() - t0 > maxWaitMs) {
      log(`warning: the machine is still busy after ${Math.round(maxWaitMs / 60_000)} min; timing anyway (figures are suspect)`);
      return { waitedMs: Date.now() - t0, quiet: false };
    }
    if (!said) {
      log(
        others.length
          ? `another Chromium is running (pid ${others.slice(0, 5).join(', ')}): waiting for it to finish before timing…`
          : `other work is using ${(load * 100).toFixed(0)}% of a core: waiting for the machine to be quiet before timing…`,
      );
      said = true;
    }
    await sleep(others.length ? 5_000 : 2_000);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The extension's id, from its service worker target (waits for it). */
export async function extensionId(cdp: Cdp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const sw = (targetInfos as Array<{ type: string; url: string }>).find((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
    if (sw) return new URL(sw.url).host;
    await sleep(100);
  }
  throw new Error('the extension service worker did not start');
}

interface TargetSeen {
  targetId: string;
  url: string;
}

const targetInfos = async (cdp: Cdp): Promise<TargetSeen[]> => (await cdp.send<{ targetInfos: TargetSeen[] }>('Target.getTargets')).targetInfos;

/**
 * Opens docked DevTools on a page (Target.openDevTools, as F12 would) and waits until it has
 * loaded. With `extId`, selects that extension's panel through DevTools' own InspectorView
 * (shared/toolchain.md) and waits up to 30 s for the panel page to be a CDP target: its targetId,
 * or undefined if it never showed (the caller decides whether that is fatal). Throws when DevTools
 * does not open, or the panel's tab does not appear in it.
 */
export async function openDevtools(cdp: Cdp, pageTargetId: string, extId?: string): Promise<{ panelTargetId?: string }> {
  const before = new Set((await targetInfos(cdp)).map((t) => t.targetId));
  await cdp.send('Target.openDevTools', { targetId: pageTargetId });
  let devtools: TargetSeen | undefined;
  for (const deadline = Date.now() + 30_000; !devtools && Date.now() < deadline; ) {
    devtools = (await targetInfos(cdp)).find((t) => !before.has(t.targetId) && t.url.startsWith('devtools://devtools/'));
    if (!devtools) await sleep(200);
  }
  if (!devtools) throw new Error('DevTools did not open (Target.openDevTools)');
  const { sessionId } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', { targetId: devtools.targetId, flatten: true });
  let shown: string;
  try {
    shown = await cdp.evaluate<string>(
      sessionId,
      `(async () => {
        for (let i = 0; i < 150; i++) {
          try {
            const legacy = await import('devtools://devtools/bundled/ui/legacy/legacy.js');
            const view = legacy.InspectorView.InspectorView.instance();
            const ids = [...(view.tabbedPane?.tabIds?.() ?? [])];
            const want = ${JSON.stringify(extId ?? '')};
            if (!want && ids.includes('network')) return 'devtools';
            const id = want ? ids.find((x) => x.includes(want)) : undefined;
            if (id) { await view.showPanel(id); return id; }
          } catch { /* DevTools still loading */ }
          await new Promise((r) => setTimeout(r, 200));
        }
        return '';
      })()`,
      45_000,
    );
  } finally {
    await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
  }
  if (!shown) throw new Error(extId ? "Claimscope's panel did not appear in DevTools" : 'DevTools did not finish loading');
  if (!extId) return {};
  const panelUrl = `chrome-extension://${extId}/src/panel/panel.html`;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(200)) {
    const panel = (await targetInfos(cdp)).find((t) => t.url.startsWith(panelUrl));
    if (panel) return { panelTargetId: panel.targetId };
  }
  return {};
}
