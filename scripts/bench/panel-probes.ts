// Panel scale, memory and finding latency: the real DevTools panel with a large live session.
//
// One Chromium with Claimscope (dist/chrome) and one without, each with a fresh profile, driven
// over raw CDP (cdp.ts). In both, the flood page (flood-page.ts) is opened, DevTools is opened on
// it (Target.openDevTools, as F12 would; its own network capture records the flood in both), and
// the server floods `frames` inbound frames (flood-server.ts: 4 in 5 text broadcasts of ~300
// bytes, 1 in 5 binary kind 4). With Claimscope, its panel is selected in DevTools before the
// flood (DevTools' own InspectorView, shared/toolchain.md), so every frame reaches the panel's
// session by the live stream (the store of record holds at most STORE_LIMITS.maxEvents; a panel
// opened later would get only those). Then, with the flood over:
//
//   memory   forced GC (HeapProfiler.collectGarbage) then Runtime.getHeapUsage per target: the
//            page (its isolate holds the page, the MAIN-world hook and the ISOLATED-world content
//            script alike, so Claimscope's share is the difference with the run without it), the
//            panel (the extension's page isolate: the panel and the devtools_page), the service
//            worker (before and after the flood, to see it stays flat).
//   panel    measured inside the panel page with performance.now() and requestAnimationFrame: the
//            Frames view's first render (switching to it from Findings), filters (the toolbar's
//            text, then as a regex) from the input event to the list updated and the next frame
//            painted, a scripted scroll's frame times (smooth, then jumps), opening the details pane.
//   latency  a second socket of the page joins a channel; the server sends that channel a Realtime
//            error frame (flood-server.ts sendRealtimeError, the server's words) and stamps
//            Date.now() just before writing it; a MutationObserver in the panel stamps Date.now()
//            when the finding's row is in the Findings view's DOM. Both clocks are this machine's
//            wall clock (Node and Chromium read the same system clock): 1 ms resolution. Errors
//            arrive either on a quiet session or right after other traffic made the engine run,
//            since the panel runs the engine at most once a second (useAnalysis.ts).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cdp } from './cdp';
import { extensionId, launch, openDevtools as openDevtoolsOn, sleep, type Browser } from './chromium';
import { BENCH_ANON } from './flood-page';
import { HELD_JOIN_PREFIX, type FloodServer, type RealtimeErrorKind } from './flood-server';
import { openFloodPage } from './page-cost';
import { max, median, round } from './stats';

export interface PanelProbeConfig {
  /** Inbound frames flooded before anything is measured. */
  frames: number;
  /**
   * Error frames timed: join-rejected and channel-closed alternately, in pairs alternately "quiet"
   * (nothing else for 2.5 s: the engine's once-a-second throttle has passed) and "after traffic"
   * (150 ms after a heartbeat and its reply, which made the engine run: the throttle's worst case).
   */
  latencySamples: number;
  /** Animation frames of the scripted scroll (half smooth, half jumps). */
  scrollFrames: number;
  /** Repetitions of the first render and of opening the details pane. */
  repeats: number;
}

export function panelProbeConfig(quick: boolean): PanelProbeConfig {
  // Quick: a fifth of the frames (with DevTools open a 100,000-frame flood alone takes 20–50 s
  // here, twice; the whole quick bench must stay under 5 minutes); its rows say so, and its
  // figures are not the budget's.
  return quick ? { frames: 20_000, latencySamples: 4, scrollFrames: 80, repeats: 2 } : { frames: 100_000, latencySamples: 12, scrollFrames: 300, repeats: 5 };
}

export const FILTER_BUDGET_MS = 100;
export const MEMORY_BUDGET_MB = 150;
export const LATENCY_BUDGET_MS = 250;
/** "Flat" service worker: its heap after the flood (forced GC) at most this much above before. */
export const SW_FLAT_MB = 1;

export interface Heap {
  usedMB: number;
  totalMB: number;
}

export interface Timed {
  /** Action to the change in the DOM. */
  domMs: number;
  /** Action to the first frame painted after it (rAF, then a task). */
  paintedMs: number;
}

export interface FilterSample extends Timed {
  query: string;
  regex: boolean;
  /** What the panel said ("Showing 1 of 100,004 frames"). */
  shown: string;
}

export interface LatencySample {
  kind: RealtimeErrorKind;
  /** "quiet": nothing else for 2.5 s before; "after traffic": 150 ms after a heartbeat round trip. */
  phase: 'quiet' | 'after traffic';
  code: string;
  topic: string;
  /** Server write (Date.now() in Node) to the finding's row in the panel's DOM (Date.now() there). */
  ms: number;
  /** …to the next frame painted after it. */
  paintedMs: number;
}

export interface PanelProbes {
  frames: number;
  /** Frames the page counted on its sockets, and frames the panel says it holds. */
  pageFrames: number;
  panelFrames: number;
  floodMs: number;
  memory: {
    pageWithout: Heap;
    pageWith: Heap;
    /** Right after the flood, and after the filters, scroll, details and latency samples. */
    panel: Heap;
    panelAfterUse: Heap;
    workerBefore: Heap;
    workerAfter: Heap;
    /** The service worker was the same instance before and after (not restarted in between). */
    workerSameInstance: boolean;
  };
  firstRender: Timed[];
  filters: FilterSample[];
  scroll: { smoothGapsMs: number[]; jumpGapsMs: number[]; rowsInDom: number };
  details: Timed[];
  latency: LatencySample[];
  /** The panel's reads of DevTools' network log (getHAR) during the run. */
  harReads: { reads: Array<{ at: number; ms: number; entries: number; messages: number }>; problem: string; now: number };
  errors: string[];
}

type Log = (s: string) => void;

/**
 * Diagnosis only (BENCH_PANEL_PROFILE=DIR): a CPU profile of the panel page around each first
 * render, filter, the scroll and each latency sample, written to DIR as .cpuprofile (open in DevTools' Performance
 * panel) with the top self times logged. The profiler slows what it watches: the figures of such
 * a run are not the ones to quote.
 */
const PROFILE_DIR = process.env.BENCH_PANEL_PROFILE;

async function profiled<T>(cdp: Cdp, sessionId: string, name: string, log: Log, fn: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return fn();
  await cdp.send('Profiler.enable', {}, sessionId);
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 }, sessionId);
  await cdp.send('Profiler.start', {}, sessionId);
  try {
    return await fn();
  } finally {
    const { profile } = await cdp.send<{ profile: CpuProfile }>('Profiler.stop', {}, sessionId);
    await cdp.send('Profiler.disable', {}, sessionId);
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
    log(`  profile ${name}: ${topSelf(profile, 12)}`);
  }
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

function topSelf(p: CpuProfile, k: number): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const f = byId.get(id)?.callFrame;
    const key = f ? `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}` : '?';
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([key, t]) => `${key} ${t.toFixed(0)} ms`)
    .join('; ');
}

const MB = 2 ** 20;

/** Forced GC (twice: finalizers and weak references free more on the second) and the JS heap of one target. */
async function heapOf(cdp: Cdp, sessionId: string): Promise<Heap> {
  await cdp.send('HeapProfiler.collectGarbage', {}, sessionId);
  await cdp.send('HeapProfiler.collectGarbage', {}, sessionId);
  const u = await cdp.send<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage', {}, sessionId);
  return { usedMB: round(u.usedSize / MB, 2), totalMB: round(u.totalSize / MB, 2) };
}

interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

async function targets(cdp: Cdp): Promise<TargetInfo[]> {
  return (await cdp.send<{ targetInfos: TargetInfo[] }>('Target.getTargets')).targetInfos;
}

/** The extension's service worker: its heap (forced GC) and whether it is the instance marked earlier. */
async function workerHeap(cdp: Cdp, extId: string, mark: string): Promise<{ heap: Heap; marked: boolean }> {
  const sw = (await targets(cdp)).find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${extId}/`));
  if (!sw) throw new Error('no extension service worker target');
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: sw.targetId, flatten: true });
  try {
    // A global set on the first visit tells whether the worker was restarted in between.
    const marked = await cdp.evaluate<boolean>(sessionId, `(() => { const had = globalThis.__claimscopeBenchMark === ${JSON.stringify(mark)}; globalThis.__claimscopeBenchMark = ${JSON.stringify(mark)}; return had; })()`, 15_000);
    return { heap: await heapOf(cdp, sessionId), marked };
  } finally {
    await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
  }
}

/**
 * DevTools on the page (chromium.ts openDevtools); with `extId`, Claimscope's panel selected and a
 * session attached to the panel page's target.
 */
async function openDevtools(cdp: Cdp, pageTargetId: string, extId?: string): Promise<string | undefined> {
  const { panelTargetId } = await openDevtoolsOn(cdp, pageTargetId, extId);
  if (!extId) return undefined;
  if (!panelTargetId) throw new Error(`the panel page (chrome-extension://${extId}/src/panel/panel.html) did not appear as a CDP target`);
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: panelTargetId, flatten: true });
  return sessionId;
}

/**
 * Installed in the panel page: waits on its DOM with a MutationObserver and times with its own
 * performance.now() and requestAnimationFrame. `painted` resolves in a task after the next
 * animation frame, i.e. after that frame was drawn (bounded: a panel without animation frames
 * says so instead of hanging).
 */
const PANEL_HELPERS = `window.__csb = (() => {
  const q = (id) => document.querySelector('[data-testid="' + id + '"]');
  // The panel re-reads DevTools' whole network log (devtools-network.ts): each read is recorded
  // (when, how long until the answer, how many WebSocket messages it carried), wrapping the one
  // chrome.devtools.network object the panel's reader calls.
  const harReads = [];
  let harWrapped = 'no chrome.devtools.network';
  try {
    const net = chrome.devtools && chrome.devtools.network;
    if (net && typeof net.getHAR === 'function') {
      const original = net.getHAR;
      net.getHAR = function (callback) {
        const at = performance.now();
        return original.call(this, (har) => {
          const ms = performance.now() - at;
          let messages = 0;
          const entries = (har && Array.isArray(har.entries)) ? har.entries : [];
          for (const e of entries) messages += Array.isArray(e._webSocketMessages) ? e._webSocketMessages.length : 0;
          harReads.push({ at, ms, entries: entries.length, messages });
          return callback(har);
        });
      };
      harWrapped = net.getHAR === original ? 'getHAR could not be wrapped' : '';
    }
  } catch (e) { harWrapped = 'getHAR could not be wrapped: ' + e.message; }
  let rafMissing = 0;
  const painted = () => new Promise((resolve) => {
    let done = false;
    const fin = (viaRaf) => { if (done) return; done = true; if (!viaRaf) rafMissing++; resolve(); };
    requestAnimationFrame(() => setTimeout(() => fin(true), 0));
    setTimeout(() => fin(false), 1000);
  });
  const until = (cond, timeoutMs) => new Promise((resolve, reject) => {
    const stamp = () => ({ perf: performance.now(), wall: Date.now() });
    if (cond()) return resolve(stamp());
    const mo = new MutationObserver(() => {
      if (!cond()) return;
      const s = stamp();
      mo.disconnect();
      clearTimeout(timer);
      resolve(s);
    });
    mo.observe(document.documentElement, { subtree: true, childList: true, characterData: true, attributes: true });
    const timer = setTimeout(() => { mo.disconnect(); reject(new Error('the panel did not show it within ' + timeoutMs + ' ms')); }, timeoutMs);
  });
  const measure = async (action, cond, timeoutMs = 30000) => {
    const t0 = performance.now();
    action();
    const dom = await until(cond, timeoutMs);
    await painted();
    return { domMs: dom.perf - t0, paintedMs: performance.now() - t0 };
  };
  const countText = () => q('frames-count')?.textContent ?? '';
  const frameCount = () => {
    const m = /([\\d,]+) frames/.exec(countText());
    return m ? Number(m[1].replace(/,/g, '')) : -1;
  };
  const showView = async (name) => {
    if (q(name === 'frames' ? 'frames-list' : name + '-view')) return;
    q('view-' + name).click();
    await until(() => !!q(name === 'frames' ? 'frames-list' : name + '-view'), 10000);
    await painted();
  };
  const setFilter = (text) => {
    const input = q('filter-input');
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  return {
    q, painted, until, measure, frameCount, showView, rafMissing: () => rafMissing,
    harReads: () => ({ reads: harReads, problem: harWrapped, now: performance.now() }),
    async firstRender() {
      await showView('findings');
      await painted();
      return measure(() => q('view-frames').click(), () => document.querySelectorAll('[data-testid="frame-row"]').length > 0);
    },
    async filter(text, regex) {
      await showView('frames');
      const rx = q('filter-regex');
      if (rx.checked !== regex) { rx.click(); await painted(); }
      const before = countText();
      const r = await measure(() => setFilter(text), () => countText() !== before && (countText().startsWith('Showing') || !!q('filter-error')));
      return { ...r, query: text, regex, shown: countText() };
    },
    async clearFilter() {
      const before = countText();
      const r = await measure(() => setFilter(''), () => countText() !== before && !countText().startsWith('Showing'));
      const rx = q('filter-regex');
      if (rx.checked) { rx.click(); await painted(); }
      return { ...r, query: '', regex: false, shown: countText() };
    },
    async scroll(frames) {
      await showView('frames');
      const list = q('frames-list');
      const gapsOf = async (n, step) => {
        const gaps = [];
        let last = -1;
        for (let i = 0; i <= n; i++) {
          await new Promise((r) => requestAnimationFrame(r));
          const now = performance.now();
          if (last >= 0) gaps.push(now - last);
          last = now;
          step(i);
        }
        return gaps;
      };
      list.scrollTop = 0;
      await painted();
      // Smooth: 10 rows (210 px) per frame, a fast wheel. Jumps: a scrollbar dragged anywhere.
      const smoothGapsMs = await gapsOf(Math.floor(frames / 2), () => { list.scrollTop += 210; });
      let seed = 7;
      const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
      const jumpGapsMs = await gapsOf(Math.ceil(frames / 2), () => { list.scrollTop = Math.floor(rnd() * list.scrollHeight); });
      await painted();
      return { smoothGapsMs, jumpGapsMs, rowsInDom: document.querySelectorAll('[data-testid="frame-row"]').length };
    },
    async details(k, n) {
      await showView('frames');
      const list = q('frames-list');
      q('frame-details-close')?.click();
      list.scrollTop = Math.floor(list.scrollHeight * (0.15 + (0.7 * k) / Math.max(1, n)));
      await painted();
      await painted();
      const rows = [...document.querySelectorAll('[data-testid="frame-row"]')];
      if (!rows.length) throw new Error('no frame row in view');
      const row = rows[Math.floor(rows.length / 2)];
      return measure(() => row.click(), () => !!document.querySelector('[data-testid="frame-details"] :is([data-testid="frame-tree"], [data-testid="frame-hex"], [data-testid="frame-raw"], [data-testid="undecodable-reason"])'));
    },
    /** Starts watching for the finding's row; the promise is read by a later evaluate. */
    watchFinding(code, topic) {
      const has = () => [...document.querySelectorAll('[data-testid="finding-row"][data-code="' + code + '"]')].some((r) => (r.textContent || '').includes(topic));
      if (has()) throw new Error('finding ' + code + ' on ' + topic + ' already shown');
      window.__csbFinding = until(has, 20000).then(async (s) => { await painted(); return { dom: s.wall, painted: Date.now() }; });
      window.__csbFinding.catch(() => undefined);
      return true;
    },
    findingCodes() {
      return [...document.querySelectorAll('[data-testid="finding-row"]')].map((r) => r.getAttribute('data-code') + ' ' + (r.querySelector('[data-testid="finding-channel"]')?.textContent || ''));
    },
  };
})(); true`;

/** A second socket of the flood page, for the latency probe: joins channels on request. */
const LATENCY_CLIENT = `window.__csbLat = window.__csbLat || (() => {
  const ws = new WebSocket('ws://' + location.host + '/realtime/v1/websocket?apikey=${BENCH_ANON}&vsn=2.0.0');
  const replies = new Map();
  let ref = 1;
  ws.onmessage = (e) => {
    if (typeof e.data !== 'string') return;
    const m = JSON.parse(e.data);
    if (Array.isArray(m) && m[3] === 'phx_reply' && replies.has(m[2])) { replies.get(m[2])(m[4]); replies.delete(m[2]); }
  };
  const open = new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('latency socket failed')); });
  return {
    /** A heartbeat and its reply: traffic that makes the panel's engine run just before an error. */
    async heartbeat() {
      await open;
      const r = String(ref++);
      const reply = new Promise((resolve) => replies.set('phoenix', resolve));
      ws.send(JSON.stringify([null, r, 'phoenix', 'heartbeat', {}]));
      await reply;
      return true;
    },
    async join(topic, awaitReply) {
      await open;
      const r = String(ref++);
      const reply = new Promise((resolve) => replies.set(topic, resolve));
      ws.send(JSON.stringify([r, r, topic, 'phx_join', { config: { broadcast: { ack: false, self: false }, presence: { key: '' }, postgres_changes: [], private: false } }]));
      if (awaitReply) await reply;
      return true;
    },
  };
})(); true`;

const CODE_OF: Record<RealtimeErrorKind, string> = { 'join-rejected': 'server-join-rejected', 'channel-closed': 'server-channel-closed' };

/** The page's JS heap after the same flood without any extension (DevTools open alike). */
async function baselinePageHeap(server: FloodServer, cfg: PanelProbeConfig, log: Log): Promise<Heap> {
  const browser = await launch({ extraArgs: ['--window-size=1400,1000'] });
  try {
    const { cdp } = browser;
    const { sessionId, targetId } = await openFloodPage(cdp, server.pageUrl());
    await openDevtools(cdp, targetId);
    await sleep(1_000);
    const r = await cdp.evaluate<{ ms: number }>(sessionId, `window.bench.inbound(${cfg.frames})`, 600_000);
    await sleep(1_000);
    const heap = await heapOf(cdp, sessionId);
    log(`  without the extension: flood of ${cfg.frames.toLocaleString('en')} frames in ${(r.ms / 1000).toFixed(1)} s, page heap ${heap.usedMB} MB`);
    return heap;
  } finally {
    await browser.close();
  }
}

async function waitForPanelFrames(cdp: Cdp, panel: string, expected: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const n = await cdp.evaluate<number>(panel, `(async () => { await __csb.showView('frames'); return __csb.frameCount(); })()`, 30_000);
    if (n >= expected) return n;
    if (n !== last) stableSince = Date.now();
    else if (Date.now() - stableSince > 10_000) return n; // stuck below: report what is there
    last = n;
    await sleep(250);
  }
  return last;
}

export async function runPanelProbes(extensionDir: string, server: FloodServer, cfg: PanelProbeConfig, log: Log): Promise<PanelProbes> {
  const errors: string[] = [];
  log(`panel scale, memory, latency: ${cfg.frames.toLocaleString('en')} frames, DevTools open; baseline without the extension first`);
  const pageWithout = await baselinePageHeap(server, cfg, log);
  let browser: Browser | undefined;
  try {
    browser = await launch({ extensions: [extensionDir], extraArgs: ['--window-size=1400,1000'] });
    const { cdp } = browser;
    const extId = await extensionId(cdp);
    const { sessionId: page, targetId } = await openFloodPage(cdp, server.pageUrl());
    const panel = await openDevtools(cdp, targetId, extId);
    if (!panel) throw new Error('no panel session');
    // The panel is connected once its status leaves "connecting".
    for (const deadline = Date.now() + 30_000; ; ) {
      const status = await cdp.evaluate<string>(panel, `document.querySelector('[data-testid="capture-status"]')?.getAttribute('data-status') ?? ''`, 10_000).catch(() => '');
      if (status && status !== 'connecting') break;
      if (Date.now() > deadline) throw new Error(`the panel did not leave "connecting" (status "${status}")`);
      await sleep(200);
    }
    await cdp.evaluate(panel, PANEL_HELPERS);
    await sleep(1_000);
    const mark = `bench-${Date.now()}`;
    const before = await workerHeap(cdp, extId, mark);

    const flood = await cdp.evaluate<{ ms: number }>(page, `window.bench.inbound(${cfg.frames})`, 600_000);
    const counts = await cdp.evaluate<{ sent: number; received: number }>(page, 'window.bench.counts()');
    const pageFrames = counts.sent + counts.received;
    const panelFrames = await waitForPanelFrames(cdp, panel, pageFrames, 180_000);
    log(`  with Claimscope: flood in ${(flood.ms / 1000).toFixed(1)} s; ${panelFrames.toLocaleString('en')} of ${pageFrames.toLocaleString('en')} frames in the panel`);
    await sleep(1_000);

    // Memory first, before the interactions below allocate anything.
    const pageWith = await heapOf(cdp, page);
    const panelHeap = await heapOf(cdp, panel);
    const after = await workerHeap(cdp, extId, mark);
    log(`  heaps: page ${pageWith.usedMB} MB (without: ${pageWithout.usedMB}), panel ${panelHeap.usedMB} MB, service worker ${before.heap.usedMB} → ${after.heap.usedMB} MB`);

    const run = <T>(expr: string, timeoutMs = 60_000) => cdp.evaluate<T>(panel, expr, timeoutMs);
    const firstRender: Timed[] = [];
    for (let i = 0; i < cfg.repeats; i++) firstRender.push(await profiled(cdp, panel, `first-render-${i}`, log, () => run<Timed>('__csb.firstRender()')));

    // The flood's text frames carry "seq":i, (frame i); binary ones carry it in their payload.
    const queries: Array<[string, boolean]> = [
      ['"seq":4242,', false], // one frame
      ['cursor', false], // every broadcast: the whole list again
      ['no such text in any frame', false], // none: reads every frame
      ['"seq":4242\\d,', true], // ten
      ['"seq":-\\d+', true], // none: reads every frame
    ];
    const filters: FilterSample[] = [];
    for (const [text, regex] of queries) {
      filters.push(await profiled(cdp, panel, `filter-${filters.length}`, log, () => run<FilterSample>(`__csb.filter(${JSON.stringify(text)}, ${regex})`)));
      filters.push(await run<FilterSample>('__csb.clearFilter()'));
    }
    const scroll = await profiled(cdp, panel, 'scroll', log, () => run<PanelProbes['scroll']>(`__csb.scroll(${cfg.scrollFrames})`, 120_000));
    const details: Timed[] = [];
    for (let i = 0; i < cfg.repeats; i++) details.push(await run<Timed>(`__csb.details(${i}, ${cfg.repeats})`));
    const rafMissing = await run<number>('__csb.rafMissing()');
    if (rafMissing) errors.push(`${rafMissing} waits for a painted frame got no animation frame within 1 s (panel not rendering?)`);

    // Latency: the Findings view is open (the engine runs only while such a view is), no filter.
    await run("__csb.showView('findings')");
    await cdp.evaluate(page, LATENCY_CLIENT);
    const latency: LatencySample[] = [];
    for (let i = 0; i < cfg.latencySamples; i++) {
      const kind: RealtimeErrorKind = i % 2 === 0 ? 'join-rejected' : 'channel-closed';
      const phase: LatencySample['phase'] = Math.floor(i / 2) % 2 === 0 ? 'quiet' : 'after traffic';
      const topic = kind === 'join-rejected' ? `${HELD_JOIN_PREFIX}${i}x` : `realtime:latency-${i}x`;
      await cdp.evaluate(page, `__csbLat.join(${JSON.stringify(topic)}, ${kind === 'channel-closed'})`, 15_000);
      // Past the engine's once-a-second throttle (useAnalysis): the join made it run, and events
      // that arrived during that run make it run once more a second later.
      await sleep(2_500);
      if (phase === 'after traffic') {
        await cdp.evaluate(page, '__csbLat.heartbeat()', 15_000);
        await sleep(150);
      }
      await run(`__csb.watchFinding(${JSON.stringify(CODE_OF[kind])}, ${JSON.stringify(topic)})`);
      let sentAt = 0;
      try {
        const seen = await profiled(cdp, panel, `latency-${i}`, log, () => {
          sentAt = server.sendRealtimeError(topic, kind);
          return run<{ dom: number; painted: number }>('window.__csbFinding', 30_000);
        });
        latency.push({ kind, phase, code: CODE_OF[kind], topic, ms: seen.dom - sentAt, paintedMs: seen.painted - sentAt });
      } catch (e) {
        const shown = await run<string[]>('__csb.findingCodes()').catch(() => []);
        errors.push(`${kind} on ${topic}: ${e instanceof Error ? e.message : String(e)} (findings shown: ${shown.join('; ') || 'none'})`);
      }
    }
    log(`  latency: ${latency.map((l) => `${l.kind} (${l.phase}) ${l.ms} ms`).join(', ')}`);
    // Diagnosis: what the panel does on its own, with nothing arriving (timers, re-analysis).
    if (PROFILE_DIR) await profiled(cdp, panel, 'idle-5s', log, () => sleep(5_000));
    const harReads = await run<PanelProbes['harReads']>('__csb.harReads()');
    // Again after use: the filters, scroll, details pane and findings may keep what they built.
    const panelAfterUse = await heapOf(cdp, panel);
    log(`  panel heap after the filters, scroll, details and findings: ${panelAfterUse.usedMB} MB`);

    return {
      frames: cfg.frames,
      pageFrames,
      panelFrames,
      floodMs: round(flood.ms, 0),
      memory: { pageWithout, pageWith, panel: panelHeap, panelAfterUse, workerBefore: before.heap, workerAfter: after.heap, workerSameInstance: after.marked },
      firstRender,
      filters,
      scroll,
      details,
      latency,
      harReads,
      errors,
    };
  } finally {
    await browser?.close();
  }
}

// ---- rows -----------------------------------------------------------------------------------

export interface ProbeRow {
  section: string;
  figure: string;
  value: string;
  budget: string;
  /** true met, false missed, null no budget / not measured. */
  met: boolean | null;
  status: string;
}

const ms = (x: number) => `${Math.round(x)} ms`;
const mb = (x: number) => `${x.toFixed(1)} MB`;
const int = (x: number) => Math.round(x).toLocaleString('en');
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
};

function budgetRow(section: string, figure: string, value: string, x: number, budget: number, unit: string): ProbeRow {
  const met = x <= budget;
  return { section, figure, value, budget: `≤ ${budget} ${unit}`, met, status: met ? 'met' : `MISSED by ${Math.round(x - budget)} ${unit}` };
}

/** `which`: the sections to report (panel, memory, latency). */
export function panelProbeRows(r: PanelProbes, which: ReadonlySet<string>, quick: boolean): ProbeRow[] {
  const rows: ProbeRow[] = [];
  const at = `at ${int(r.panelFrames)} frames${quick ? ' (quick; budget at 100,000)' : ''}`;
  if (which.has('panel')) {
    const S = 'panel scale';
    rows.push({
      section: S,
      figure: 'frames in the panel (live stream, DevTools panel)',
      value: `${int(r.panelFrames)} of ${int(r.pageFrames)} (flood of ${int(r.frames)} took ${(r.floodMs / 1000).toFixed(1)} s with DevTools open)`,
      budget: 'all',
      met: r.panelFrames === r.pageFrames,
      status: r.panelFrames === r.pageFrames ? 'met' : 'MISSED',
    });
    const timed = r.filters.filter((f) => f.query !== '');
    const worst = max(timed.map((f) => f.paintedMs));
    const list = (xs: FilterSample[]) => xs.map((f) => `${f.regex ? '/' + f.query + '/' : JSON.stringify(f.query)} ${Math.round(f.paintedMs)} (${f.shown.replace(/^Showing ([\d,]+) of .*$/, '$1')})`).join(', ');
    rows.push(budgetRow(S, `filter ${at}, worst of text and regex (input → list updated + painted)`, `${ms(worst)}: ${list(timed)}`, worst, 100, 'ms'));
    const clears = r.filters.filter((f) => f.query === '');
    rows.push({ section: S, figure: `clearing the filter ${at} (whole list again)`, value: `median ${ms(median(clears.map((f) => f.paintedMs)))}, worst ${ms(max(clears.map((f) => f.paintedMs)))}`, budget: '—', met: null, status: 'reported' });
    const fr = r.firstRender.map((t) => t.paintedMs);
    rows.push({ section: S, figure: `Frames view first render ${at} (switch from Findings → rows painted)`, value: `first ${ms(fr[0])}, median ${ms(median(fr))}, worst ${ms(max(fr))} (${fr.length}×)`, budget: '—', met: null, status: 'reported' });
    const gaps = [...r.scroll.smoothGapsMs, ...r.scroll.jumpGapsMs];
    rows.push({
      section: S,
      figure: `scripted scroll ${at}: worst frame (${gaps.length} frames, smooth then jumps)`,
      value: `worst ${ms(max(gaps))} (smooth ${ms(max(r.scroll.smoothGapsMs))}, jumps ${ms(max(r.scroll.jumpGapsMs))}); p95 ${ms(pct(gaps, 0.95))}; ${gaps.filter((g) => g > 50).length} frames > 50 ms; ${r.scroll.rowsInDom} rows in the DOM`,
      budget: '—',
      met: null,
      status: 'reported',
    });
    const h = r.harReads;
    const reads = h.reads;
    rows.push({
      section: S,
      figure: "the panel's reads of DevTools' network log (getHAR) during the run",
      value: h.problem
        ? h.problem
        : reads.length
          ? `${reads.length} reads, median ${ms(median(reads.map((x) => x.ms)))}, worst ${ms(max(reads.map((x) => x.ms)))} to the answer; up to ${int(max(reads.map((x) => x.messages)))} WebSocket messages each`
          : 'none',
      budget: '—',
      met: null,
      status: 'reported',
    });
    const d = r.details.map((t) => t.paintedMs);
    rows.push({ section: S, figure: `opening the details pane ${at} (click → tree painted)`, value: `median ${ms(median(d))}, worst ${ms(max(d))} (${d.length}×)`, budget: '—', met: null, status: 'reported' });
  }
  if (which.has('memory')) {
    const S = 'memory';
    const m = r.memory;
    const added = m.pageWith.usedMB - m.pageWithout.usedMB;
    rows.push({ section: S, figure: `page JS heap after the flood (forced GC), with / without Claimscope`, value: `${mb(m.pageWith.usedMB)} / ${mb(m.pageWithout.usedMB)}: +${mb(added)} (hook + content script, store capped)`, budget: '—', met: null, status: 'reported' });
    rows.push({
      section: S,
      figure: `panel JS heap ${at} (extension pages' isolate: panel + devtools page), after the flood / after use`,
      value: `${mb(m.panel.usedMB)} / ${mb(m.panelAfterUse.usedMB)} (after filters, scroll, details, findings)`,
      budget: '—',
      met: null,
      status: 'reported',
    });
    const growth = m.workerAfter.usedMB - m.workerBefore.usedMB;
    const flat = growth <= SW_FLAT_MB;
    rows.push({
      section: S,
      figure: 'service worker JS heap before / after the flood (forced GC)',
      value: `${mb(m.workerBefore.usedMB)} / ${mb(m.workerAfter.usedMB)} (${growth >= 0 ? '+' : ''}${growth.toFixed(2)} MB)${m.workerSameInstance ? '' : ' — the worker was restarted in between'}`,
      budget: `flat (≤ +${SW_FLAT_MB} MB)`,
      met: m.workerSameInstance ? flat : null,
      status: !m.workerSameInstance ? 'not judged (worker restarted)' : flat ? 'met' : `MISSED by ${(growth - SW_FLAT_MB).toFixed(1)} MB`,
    });
    const panelMB = Math.max(m.panel.usedMB, m.panelAfterUse.usedMB);
    const total = Math.max(0, added) + panelMB + m.workerAfter.usedMB;
    rows.push(budgetRow(S, `together ${at}: page heap added + panel (larger reading) + service worker`, `${mb(total)} (${mb(Math.max(0, added))} + ${mb(panelMB)} + ${mb(m.workerAfter.usedMB)})`, total, MEMORY_BUDGET_MB, 'MB'));
  }
  if (which.has('latency')) {
    const S = 'latency';
    const l = r.latency;
    if (!l.length) rows.push({ section: S, figure: "server's error frame → finding in the panel's DOM", value: 'no sample', budget: `≤ ${LATENCY_BUDGET_MS} ms`, met: false, status: 'ERROR' });
    else {
      const worst = max(l.map((x) => x.ms));
      const list = (xs: LatencySample[]) => xs.map((x) => `${x.ms} (${x.kind === 'join-rejected' ? 'join refused' : 'channel closed'})`).join(', ');
      const quiet = l.filter((x) => x.phase === 'quiet');
      const busy = l.filter((x) => x.phase === 'after traffic');
      rows.push(
        budgetRow(
          S,
          `server's error frame → finding in the panel's DOM${quick ? ' (quick)' : ''}, ${int(r.panelFrames)} frames held (worst of ${l.length})`,
          `worst ${ms(worst)}; quiet (2.5 s after the last event) ${list(quiet)} ms; 150 ms after a heartbeat round trip ${list(busy)} ms; painted +${ms(median(l.map((x) => x.paintedMs - x.ms)))}; Date.now() in Node and panel`,
          worst,
          LATENCY_BUDGET_MS,
          'ms',
        ),
      );
    }
  }
  for (const e of r.errors) rows.push({ section: 'panel run', figure: 'problem during the panel run', value: e, budget: '—', met: false, status: 'ERROR' });
  return rows;
}
