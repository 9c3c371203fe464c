// Page cost: what loading an extension costs a page flooded with Realtime frames.
//
// Arms, each launched in a fresh browser with a fresh profile, driven over raw CDP (scripts/bench/
// cdp.ts: only Target.* and Runtime.evaluate; no domain is enabled on the page):
//   A  no extension (baseline)
//   N  a no-op MV3 extension (noise floor)
//   B  Claimscope (dist/chrome), panel closed
// Launches are interleaved round by round (A B N, then B N A, N A B, …) so drift hits every arm.
// In each launch: wait for the extension's service worker, settle, one warm-up flood each way, then
// `reps` repetitions of [inbound flood, drain, outbound flood, drain]. Per launch the median of the
// repetitions; per round the ratios B/A and N/A; reported: their median over rounds and their range.
//
// Page time: the page's own performance.now() from asking for the flood to the last frame handled
// (outbound: from the first send to the server's acknowledgement of the last frame).
// CPU: user+system time of Chromium's whole process tree (/proc) from just before the flood to the
// end of a fixed drain period after it, so work the extension defers past the timed window counts.
//
// Panel arms (a second series of rounds, against its own A): D DevTools open on the page (its own
// network capture, no extension) and P Claimscope with DevTools open and its panel selected.

import type { Cdp } from './cdp';
import { extensionId, launch, machineBusyMs, openDevtools, otherChromiums, sleep, treeCpuMs } from './chromium';
import type { FloodServer } from './flood-server';
import { median } from './stats';

export type ArmName = 'A' | 'N' | 'B' | 'D' | 'P';

export interface Arm {
  name: ArmName;
  label: string;
  extensionDir?: string;
  devtools?: boolean;
  /** Select Claimscope's panel in the DevTools window before the floods. */
  selectPanel?: boolean;
}

export interface PageCostConfig {
  rounds: number;
  reps: number;
  inbound: number;
  outbound: number;
  warmInbound: number;
  warmOutbound: number;
  settleMs: number;
  drainMs: number;
}

export interface DirectionSample {
  ms: number;
  cpuMs: number;
  /** Wall time of the CPU window (flood + drain). */
  windowMs: number;
  /** CPU used in that window by anything but this browser and this Node process (other work on the machine). */
  foreignCpuMs: number;
}

/** A repetition is contended when other work took more than this share of one core during it. */
export const FOREIGN_CPU_LIMIT = 0.1;

export interface LaunchResult {
  arm: ArmName;
  round: number;
  /** Per repetition. */
  inbound: DirectionSample[];
  outbound: DirectionSample[];
  /** Medians of the repetitions. */
  inboundMs: number;
  inboundCpuMs: number;
  outboundMs: number;
  outboundCpuMs: number;
  /** `X.enable` methods sent over this launch's CDP connection (must not include Network.enable). */
  enabledDomains: string[];
  notes: string[];
  /** Other processes used the CPU during a repetition (see FOREIGN_CPU_LIMIT), or another Chromium ran. */
  contended: boolean;
}

type Log = (s: string) => void;

async function pollEval(cdp: Cdp, sessionId: string, expression: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      if (await cdp.evaluate<boolean>(sessionId, expression, 10_000)) return;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await sleep(100);
  }
  throw new Error(`page not ready within ${timeoutMs} ms (${expression})${last ? `: ${last}` : ''}`);
}

/** Opens the flood page in a new tab, attaches a flat CDP session (nothing enabled) and waits for its join. */
export async function openFloodPage(cdp: Cdp, url: string): Promise<{ targetId: string; sessionId: string }> {
  const { targetId } = await cdp.send('Target.createTarget', { url });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  await pollEval(cdp, sessionId, `location.href === ${JSON.stringify(url)} && typeof window.bench === 'object'`, 30_000);
  await cdp.evaluate(sessionId, 'window.bench.ready.then(() => true)', 30_000);
  return { targetId, sessionId };
}

export async function measureLaunch(arm: Arm, round: number, server: FloodServer, cfg: PageCostConfig, log: Log): Promise<LaunchResult> {
  const browser = await launch({ extensions: arm.extensionDir ? [arm.extensionDir] : [] });
  const notes: string[] = [];
  try {
    const { cdp, pid } = browser;
    let extId = '';
    if (arm.extensionDir) extId = await extensionId(cdp);
    const { sessionId, targetId } = await openFloodPage(cdp, server.pageUrl());
    if (arm.devtools) {
      // DevTools docked on the flood tab (its network capture records the flood), Claimscope's panel selected for the panel arm.
      const { panelTargetId } = await openDevtools(cdp, targetId, arm.selectPanel ? extId : undefined);
      if (arm.selectPanel && !panelTargetId) notes.push('panel frame target not seen (selected by id only)');
    }
    await sleep(cfg.settleMs);
    // Warm-up: JIT and first-use costs of page and extension code, not timed.
    await cdp.evaluate(sessionId, `window.bench.inbound(${cfg.warmInbound})`);
    await cdp.evaluate(sessionId, `window.bench.outbound(${cfg.warmOutbound})`);
    await sleep(cfg.drainMs);
    const inbound: DirectionSample[] = [];
    const outbound: DirectionSample[] = [];
    for (let r = 0; r < cfg.reps; r++) {
      inbound.push(await timed(cdp, sessionId, pid, `window.bench.inbound(${cfg.inbound})`, cfg.drainMs));
      outbound.push(await timed(cdp, sessionId, pid, `window.bench.outbound(${cfg.outbound})`, cfg.drainMs));
    }
    const foreign = [...inbound, ...outbound].some((x) => x.foreignCpuMs > FOREIGN_CPU_LIMIT * x.windowMs);
    const others = otherChromiums().length > 0;
    if (foreign) notes.push('other processes used the CPU during a repetition');
    if (others) notes.push('another Chromium was running');
    const res: LaunchResult = {
      arm: arm.name,
      round,
      inbound,
      outbound,
      inboundMs: median(inbound.map((s) => s.ms)),
      inboundCpuMs: median(inbound.map((s) => s.cpuMs)),
      outboundMs: median(outbound.map((s) => s.ms)),
      outboundCpuMs: median(outbound.map((s) => s.cpuMs)),
      enabledDomains: cdp.enabledDomains(),
      notes,
      contended: foreign || others,
    };
    log(
      `  round ${round + 1} ${arm.name}: inbound ${res.inboundMs.toFixed(0)} ms (cpu ${res.inboundCpuMs.toFixed(0)} ms), outbound ${res.outboundMs.toFixed(0)} ms (cpu ${res.outboundCpuMs.toFixed(0)} ms)` +
        `; other work on the machine ${Math.max(...[...inbound, ...outbound].map((x) => x.foreignCpuMs)).toFixed(0)} ms CPU at most${res.contended ? ` — CONTENDED (${notes.join('; ')})` : ''}`,
    );
    return res;
  } finally {
    await browser.close();
  }
}

async function timed(cdp: Cdp, sessionId: string, pid: number, expression: string, drainMs: number): Promise<DirectionSample> {
  const node0 = process.cpuUsage();
  const busy0 = machineBusyMs();
  const w0 = performance.now();
  const cpu0 = treeCpuMs(pid);
  const r = await cdp.evaluate<{ ms: number }>(sessionId, expression);
  await sleep(drainMs);
  const cpu1 = treeCpuMs(pid);
  const windowMs = performance.now() - w0;
  const busy1 = machineBusyMs();
  const node = process.cpuUsage(node0);
  const cpuMs = cpu1 - cpu0;
  // Tick-granular counters (10 ms per process): small negative values are rounding.
  const foreignCpuMs = Math.max(0, busy1 - busy0 - cpuMs - (node.user + node.system) / 1000);
  return { ms: r.ms, cpuMs, windowMs, foreignCpuMs };
}

export interface Ratios {
  /** Per round, B/A (or N/A…) for page time and CPU, inbound and outbound. */
  perRound: Array<{ round: number; inTime: number; inCpu: number; outTime: number; outCpu: number; inUsPerFrame: number; outUsPerFrame: number }>;
}

export function ratiosAgainst(results: LaunchResult[], arm: ArmName, base: ArmName, cfg: PageCostConfig): Ratios {
  const perRound: Ratios['perRound'] = [];
  for (let round = 0; round < cfg.rounds; round++) {
    const a = results.find((r) => r.round === round && r.arm === base);
    const b = results.find((r) => r.round === round && r.arm === arm);
    if (!a || !b) continue;
    perRound.push({
      round,
      inTime: b.inboundMs / a.inboundMs,
      inCpu: b.inboundCpuMs / a.inboundCpuMs,
      outTime: b.outboundMs / a.outboundMs,
      outCpu: b.outboundCpuMs / a.outboundCpuMs,
      inUsPerFrame: ((b.inboundMs - a.inboundMs) * 1000) / cfg.inbound,
      outUsPerFrame: ((b.outboundMs - a.outboundMs) * 1000) / cfg.outbound,
    });
  }
  return { perRound };
}

/** The launch order of round `i`: the arms rotated so no arm always goes first. */
export function roundOrder<T>(arms: T[], i: number): T[] {
  const k = i % arms.length;
  return [...arms.slice(k), ...arms.slice(0, k)];
}
