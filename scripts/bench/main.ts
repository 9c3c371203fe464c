// `npm run bench` (full, ~15 min on 2 cores) and `npm run bench -- --quick` (a small version, under
// 5 min, that proves the harness works; its figures are not the ones to quote). Not part of
// `npm test`: timings belong to the benchmark, never to tests.
//
// Runs on real Chromium (/usr/bin/chromium, or CHROME_PATH), one browser at a time, and prints one
// table (the word "ratio" on ratio rows, each figure's budget from ARCHITECTURE.md "Performance
// budgets" and whether it is met), then writes the same figures as JSON (bench-results/bench.json,
// or --out FILE). What is measured and how: page-cost.ts, ingest.ts, session-core.ts, bundles.ts,
// panel-probes.ts (panel scale, memory, finding latency), engine.ts (token throughput in Node).
//
//   npm run bench [-- --quick] [--out FILE] [--no-panel] [--extension DIR (default dist/chrome)] [--rounds N]
//                 [--only panel,memory,latency,engine (just these probes, nothing else)]

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STORE_LIMITS } from '../../src/messages';
import { bundleSizes, PAGE_HOOK_BUDGET_BYTES, type BundleSize } from './bundles';
import { CHROMIUM, sleep, waitForQuietMachine } from './chromium';
import { BINARY_EVERY, isBinaryFrame, kind4Frame, startFloodServer, textFrame } from './flood-server';
import { ingestCases, runIngestCase, type IngestResult } from './ingest';
import { makeNoopExtension } from './noop-extension';
import { FOREIGN_CPU_LIMIT, measureLaunch, ratiosAgainst, roundOrder, type Arm, type ArmName, type LaunchResult, type PageCostConfig } from './page-cost';
import type { ProbeRow } from './panel-probes';
import { PROBES, runProbes, type ProbeName } from './probes';
import { runSessionBench, type SessionCore } from './session-core';
import { max, median, min, round } from './stats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BUILT = join(ROOT, 'dist/chrome');
const PAGE_COST_BUDGET = 1.05;
/** A launch during which other work used the CPU is measured again, at most this many times (0 with --quick). */
let MAX_RETRIES = 2;
/** How long to wait for a busy machine to become quiet before timing anyway. */
let QUIET_WAIT_MS = 20 * 60_000;
let retried = 0;

/** One launch, measured again (after a pause) while other work on the machine contends for the CPU. */
async function measureQuiet(arm: Arm, round: number, server: Parameters<typeof measureLaunch>[2], cfg: PageCostConfig): Promise<LaunchResult> {
  for (let attempt = 0; ; attempt++) {
    await waitForQuietMachine(log, QUIET_WAIT_MS);
    const res = await measureLaunch(arm, round, server, cfg, log);
    if (!res.contended || attempt >= MAX_RETRIES) return res;
    retried++;
    log('  (measuring it again in 10 s)');
    await sleep(10_000);
  }
}

/** A row of the table (the probes' rows are the same, without `data`). */
interface Row extends ProbeRow {
  data?: unknown;
}

function parseArgs(argv: string[]) {
  const quick = argv.includes('--quick');
  const noPanel = argv.includes('--no-panel');
  const i = argv.indexOf('--out');
  const out = i >= 0 && argv[i + 1] ? resolve(argv[i + 1]) : join(ROOT, 'bench-results', quick ? 'bench-quick.json' : 'bench.json');
  const j = argv.indexOf('--extension');
  const extension = j >= 0 && argv[j + 1] ? resolve(argv[j + 1]) : undefined;
  const k = argv.indexOf('--only');
  let only: Set<ProbeName> | undefined;
  if (k >= 0) {
    const names = (argv[k + 1] ?? '').split(',').filter(Boolean);
    const unknown = names.filter((n) => !(PROBES as readonly string[]).includes(n));
    if (!names.length || unknown.length) {
      console.error(`--only takes a comma-separated list of ${PROBES.join(', ')}${unknown.length ? ` (not a probe: ${unknown.join(', ')})` : ''}`);
      process.exit(2);
    }
    only = new Set(names as ProbeName[]);
  }
  // More rounds of page cost (default 7, 2 with --quick): the noise floor's spread shrinks with them.
  const r = argv.indexOf('--rounds');
  const rounds = r >= 0 ? Number(argv[r + 1]) : undefined;
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds >= 1 && rounds <= 50)) {
    console.error('--rounds takes a whole number of page-cost rounds from 1 to 50');
    process.exit(2);
  }
  return { quick, noPanel, out, extension, only, rounds };
}

const log = (s: string) => process.stderr.write(`${s}\n`);
const fmtX = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : 'n/a');
const fmtInt = (x: number) => Math.round(x).toLocaleString('en');

function machine() {
  let chromium = '';
  try {
    chromium = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
  } catch {
    chromium = 'unknown';
  }
  let commit = '';
  let dirty = false;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'manifest.json', 'vite.config.ts'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
  } catch {
    /* not a git checkout */
  }
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memGB: round(totalmem() / 2 ** 30, 1), node: process.version, chromium, commit, srcDirty: dirty };
}

function ensureBuild(): void {
  if (existsSync(join(BUILT, 'manifest.json'))) return;
  log('no dist/chrome: running `npm run build` first…');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(join(BUILT, 'manifest.json'))) throw new Error('npm run build failed: no dist/chrome to measure');
}

/** A private copy of dist/chrome, so a rebuild during the run cannot change what is measured. */
function snapshotBuild(from: string): { dir: string; builtAt: string; remove(): void } {
  if (!existsSync(join(from, 'manifest.json'))) throw new Error(`no manifest.json in ${from}`);
  const base = mkdtempSync(join(tmpdir(), 'claimscope-bench-dist-'));
  const dir = join(base, 'chrome');
  cpSync(from, dir, { recursive: true });
  return { dir, builtAt: statSync(join(from, 'manifest.json')).mtime.toISOString(), remove: () => rmSync(base, { recursive: true, force: true }) };
}

function ratioRow(section: string, figure: string, xs: number[], budget?: number, data?: unknown): Row {
  const m = median(xs);
  const value = `${fmtX(m)}  (${xs.length} rounds, ${fmtX(min(xs))}–${fmtX(max(xs))})`;
  if (budget === undefined) return { section, figure, value, budget: '—', met: null, status: 'reported', data };
  const met = m <= budget;
  return { section, figure, value, budget: `≤ ${budget.toFixed(2)}×`, met, status: met ? 'met' : `MISSED by ${(m - budget).toFixed(2)}×`, data };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  if (!args.extension) ensureBuild();
  const build = snapshotBuild(args.extension ?? BUILT);
  process.on('exit', () => build.remove());
  const DIST = build.dir;
  const env = { ...machine(), extension: args.extension ?? 'dist/chrome', distBuiltAt: build.builtAt };
  const cfg: PageCostConfig = args.quick
    ? { rounds: 2, reps: 1, inbound: 10_000, outbound: 2_000, warmInbound: 1_000, warmOutbound: 200, settleMs: 1_000, drainMs: 500 }
    : { rounds: 7, reps: 5, inbound: 50_000, outbound: 10_000, warmInbound: 5_000, warmOutbound: 1_000, settleMs: 1_500, drainMs: 1_000 };
  const panelCfg: PageCostConfig = args.quick ? { ...cfg, rounds: 1 } : { ...cfg, rounds: 3, reps: 1 };
  if (args.rounds !== undefined) cfg.rounds = args.rounds;
  if (args.quick) {
    MAX_RETRIES = 0;
    QUIET_WAIT_MS = 60_000;
  }
  log(`claimscope bench${args.quick ? ' --quick' : ''}: ${env.cores} cores, ${env.chromium}, node ${env.node}, commit ${env.commit}${env.srcDirty ? ' (src modified)' : ''}`);

  const rows: Row[] = [];
  const json: Record<string, unknown> = { version: 1, quick: args.quick, started: new Date(t0).toISOString(), machine: env, config: { pageCost: cfg, panelOpen: panelCfg } };

  const quiet = await waitForQuietMachine(log, QUIET_WAIT_MS);
  json.waitedForQuietMachineMs = quiet.waitedMs;
  const probes = (which: ReadonlySet<ProbeName>) => runProbes({ extensionDir: DIST, quick: args.quick, which, log, beforeTimed: () => waitForQuietMachine(log, QUIET_WAIT_MS) });

  if (args.only) {
    // Just these probes: page cost, ingest, session core and bundle sizes are skipped.
    const p = await probes(args.only);
    rows.push(...p.rows);
    Object.assign(json, p.json, { only: [...args.only] });
    return finish(rows, json, args, env, cfg, t0);
  }

  // ---- page cost ----------------------------------------------------------------------------
  const server = await startFloodServer();
  const noop = makeNoopExtension();
  const frameShape = {
    textBytes: Buffer.byteLength(textFrame(0)),
    inboundBinaryKind4Bytes: kind4Frame(0).length,
    binaryEvery: BINARY_EVERY,
    inboundBinaryShare: Array.from({ length: 100 }, (_, i) => isBinaryFrame(i)).filter(Boolean).length / 100,
  };
  json.frames = frameShape;
  const launches: LaunchResult[] = [];
  const panelLaunches: LaunchResult[] = [];
  try {
    const arms: Arm[] = [
      { name: 'A', label: 'no extension' },
      { name: 'B', label: 'Claimscope', extensionDir: DIST },
      { name: 'N', label: 'no-op MV3 extension', extensionDir: noop.dir },
    ];
    log(`page cost: ${cfg.rounds} rounds × ${cfg.reps} repetitions, ${fmtInt(cfg.inbound)} inbound + ${fmtInt(cfg.outbound)} outbound frames, arms A (none), B (Claimscope), N (no-op)`);
    for (let r = 0; r < cfg.rounds; r++) {
      for (const arm of roundOrder(arms, r)) {
        launches.push(await measureQuiet(arm, r, server, cfg));
      }
    }
    if (!args.noPanel) {
      const panelArms: Arm[] = [
        { name: 'A', label: 'no extension, DevTools closed' },
        { name: 'D', label: 'DevTools open (its own network capture), no extension', devtools: true },
        { name: 'P', label: 'Claimscope with its panel open in DevTools', extensionDir: DIST, devtools: true, selectPanel: true },
      ];
      log(`panel open: ${panelCfg.rounds} rounds × ${panelCfg.reps} repetitions, arms A (none), D (DevTools open), P (DevTools + Claimscope panel)`);
      for (let r = 0; r < panelCfg.rounds; r++) {
        for (const arm of roundOrder(panelArms, r)) {
          try {
            panelLaunches.push(await measureQuiet(arm, r, server, panelCfg));
          } catch (e) {
            log(`  round ${r + 1} ${arm.name} failed: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      }
    }
  } finally {
    noop.remove();
  }

  const S = 'page cost';
  const b = ratiosAgainst(launches, 'B', 'A', cfg).perRound;
  const n = ratiosAgainst(launches, 'N', 'A', cfg).perRound;
  const enabled = [...new Set(launches.concat(panelLaunches).flatMap((l) => l.enabledDomains))];
  const pick = (xs: typeof b, k: keyof (typeof b)[number]) => xs.map((x) => x[k]);
  rows.push(ratioRow(S, 'inbound page time ratio, Claimscope / none', pick(b, 'inTime'), PAGE_COST_BUDGET));
  rows.push(ratioRow(S, 'outbound page time ratio, Claimscope / none', pick(b, 'outTime'), PAGE_COST_BUDGET));
  rows.push(ratioRow(S, 'inbound CPU ratio (Chromium tree, flood + drain)', pick(b, 'inCpu'), PAGE_COST_BUDGET));
  rows.push(ratioRow(S, 'outbound CPU ratio (Chromium tree, flood + drain)', pick(b, 'outCpu'), PAGE_COST_BUDGET));
  const arm = (a: ArmName) => launches.filter((l) => l.arm === a);
  const perFrame = (ms: number, frames: number) => (ms * 1000) / frames;
  rows.push({
    section: S,
    figure: 'added page time per frame, inbound / outbound',
    value: `${median(pick(b, 'inUsPerFrame')).toFixed(1)} µs / ${median(pick(b, 'outUsPerFrame')).toFixed(1)} µs`,
    budget: '—',
    met: null,
    status: `baseline ${perFrame(median(arm('A').map((l) => l.inboundMs)), cfg.inbound).toFixed(1)} / ${perFrame(median(arm('A').map((l) => l.outboundMs)), cfg.outbound).toFixed(1)} µs per frame`,
  });
  // Against the no-op extension: what Claimscope costs beyond having an extension at all.
  const bn = ratiosAgainst(launches, 'B', 'N', cfg).perRound;
  rows.push(ratioRow(S, 'inbound page time ratio, Claimscope / no-op extension', pick(bn, 'inTime')));
  rows.push(ratioRow(S, 'outbound page time ratio, Claimscope / no-op extension', pick(bn, 'outTime')));
  rows.push(ratioRow(S, 'inbound CPU ratio, Claimscope / no-op extension', pick(bn, 'inCpu')));
  rows.push(ratioRow(S, 'outbound CPU ratio, Claimscope / no-op extension', pick(bn, 'outCpu')));
  const noiseRows = [
    ratioRow('noise floor', 'inbound page time ratio, no-op extension / none', pick(n, 'inTime')),
    ratioRow('noise floor', 'outbound page time ratio, no-op extension / none', pick(n, 'outTime')),
    ratioRow('noise floor', 'inbound CPU ratio, no-op extension / none', pick(n, 'inCpu')),
    ratioRow('noise floor', 'outbound CPU ratio, no-op extension / none', pick(n, 'outCpu')),
  ];
  const noiseMedians = (['inTime', 'outTime', 'inCpu', 'outCpu'] as const).map((k) => median(pick(n, k)));
  const noiseWorst = Math.max(...noiseMedians.map((x) => Math.abs(x - 1)));
  for (const r of noiseRows) rows.push(r);
  rows.push({
    section: 'noise floor',
    figure: 'noise floor tighter than the page-cost budget',
    value: `worst no-op median off by ${noiseWorst.toFixed(3)}`,
    budget: `< ${(PAGE_COST_BUDGET - 1).toFixed(2)}`,
    met: noiseWorst < PAGE_COST_BUDGET - 1,
    status: noiseWorst < PAGE_COST_BUDGET - 1 ? 'met' : 'MISSED: the run is too noisy to judge a 5% budget',
  });
  rows.push({
    section: 'method',
    figure: 'CDP domains enabled in timed runs',
    value: enabled.length ? enabled.join(', ') : 'none (Target.* and Runtime.evaluate only)',
    budget: 'no Network',
    met: !enabled.some((d) => d.startsWith('Network.')),
    status: enabled.some((d) => d.startsWith('Network.')) ? 'MISSED: Network was enabled' : 'met',
  });

  const contended = launches.concat(panelLaunches).filter((l) => l.contended).length;
  rows.push({
    section: 'method',
    figure: 'launches disturbed by other work on the machine',
    value: `${contended} kept of ${launches.length + panelLaunches.length} (${retried} measured again)`,
    budget: '0 kept',
    met: contended === 0,
    status: contended === 0 ? 'met' : `MISSED: other processes took > ${FOREIGN_CPU_LIMIT * 100}% of a core during ${contended} launch(es) even after ${MAX_RETRIES} retries`,
  });

  if (!args.noPanel && panelLaunches.length) {
    const P = 'panel open';
    const d = ratiosAgainst(panelLaunches, 'D', 'A', panelCfg).perRound;
    const p = ratiosAgainst(panelLaunches, 'P', 'A', panelCfg).perRound;
    const pd = ratiosAgainst(panelLaunches, 'P', 'D', panelCfg).perRound;
    rows.push(ratioRow(P, 'inbound page time ratio, DevTools open / none', pick(d, 'inTime')));
    rows.push(ratioRow(P, 'inbound page time ratio, DevTools + Claimscope panel / none', pick(p, 'inTime')));
    rows.push(ratioRow(P, 'inbound page time ratio, Claimscope panel / DevTools alone', pick(pd, 'inTime')));
    rows.push(ratioRow(P, 'outbound page time ratio, DevTools open / none', pick(d, 'outTime')));
    rows.push(ratioRow(P, 'outbound page time ratio, DevTools + Claimscope panel / none', pick(p, 'outTime')));
    rows.push(ratioRow(P, 'outbound page time ratio, Claimscope panel / DevTools alone', pick(pd, 'outTime')));
    rows.push(ratioRow(P, 'inbound CPU ratio, DevTools open / none', pick(d, 'inCpu')));
    rows.push(ratioRow(P, 'inbound CPU ratio, DevTools + Claimscope panel / none', pick(p, 'inCpu')));
    rows.push(ratioRow(P, 'outbound CPU ratio, DevTools + Claimscope panel / none', pick(p, 'outCpu')));
  } else {
    rows.push({ section: 'panel open', figure: 'page cost with the panel open vs DevTools network capture', value: 'not measured', budget: '—', met: null, status: args.noPanel ? 'skipped (--no-panel)' : 'not measured (every launch failed)' });
  }
  json.pageCost = { launches, ratios: { claimscope: b, noiseFloor: n, claimscopeVsNoop: bn } };
  json.panelOpen = { launches: panelLaunches };

  // ---- ingest -------------------------------------------------------------------------------
  const ingest: IngestResult[] = [];
  try {
    for (const c of ingestCases(args.quick)) {
      await waitForQuietMachine(log, QUIET_WAIT_MS);
      log(`ingest: ${c.name} (${fmtInt(c.inbound)} in + ${fmtInt(c.outbound)} out)`);
      try {
        ingest.push(await runIngestCase(c, server, DIST));
      } catch (e) {
        rows.push({ section: 'ingest', figure: c.name, value: `failed: ${e instanceof Error ? e.message : String(e)}`, budget: '—', met: false, status: 'ERROR' });
      }
    }
  } finally {
    await server.close();
  }
  for (const r of ingest) {
    const below = r.pageFrames < STORE_LIMITS.maxEvents;
    rows.push({
      section: 'ingest',
      figure: r.name,
      value: r.detail,
      budget: r.panelDuringFlood ? 'all frames reach the panel' : below ? '0 lost below the cap' : 'held + counted drops = sent',
      met: r.ok,
      status: r.ok ? 'met' : 'MISSED',
    });
  }
  json.ingest = ingest;

  // ---- session core (Node) ------------------------------------------------------------------
  await waitForQuietMachine(log, QUIET_WAIT_MS);
  log('session core: npm run bench:session (scripts/bench-session.ts)…');
  const session: SessionCore = await runSessionBench(ROOT);
  json.sessionCore = session;
  if (session.error || !session.rows.length) {
    rows.push({ section: 'session core', figure: 'npm run bench:session', value: `failed: ${session.error ?? 'no output'}`, budget: '—', met: false, status: 'ERROR' });
  } else {
    for (const r of session.rows) {
      const isRatio = /ratio/i.test(r.label);
      const met = r.budget !== undefined && r.number !== undefined ? r.number <= r.budget : null;
      rows.push({
        section: 'session core',
        figure: r.label,
        value: r.value,
        budget: r.budget !== undefined ? `≤ ${r.budget}×` : '—',
        met,
        status: met === null ? (isRatio ? 'reported' : r.note.replace(/^\(|\)$/g, '') || 'reported') : met ? 'met' : `MISSED by ${(r.number! - r.budget!).toFixed(2)}×`,
      });
    }
  }
  if (!session.rows.some((r) => /hostile|nested|backtracking|MB of/i.test(`${r.label} ${r.note}`))) {
    rows.push({ section: 'session core', figure: 'worst single hostile value (deep JSON, MB strings, regex bait)', value: 'not measured yet', budget: '—', met: null, status: 'not measured yet' });
  }

  // ---- panel scale, memory, latency (Chromium), engine (Node) ------------------------------
  const p = await probes(new Set(PROBES));
  rows.push(...p.rows);
  Object.assign(json, p.json);

  // ---- bundle sizes -------------------------------------------------------------------------
  const bundles: BundleSize[] = await bundleSizes(DIST);
  build.remove();
  json.bundles = bundles;
  for (const bs of bundles) {
    const hook = bs.file === 'page.js';
    const met = hook ? bs.builtBytes <= PAGE_HOOK_BUDGET_BYTES : null;
    rows.push({
      section: 'bundles',
      figure: `${bs.file} (${bs.role})`,
      value: `built ${fmtInt(bs.builtBytes)} B · minified ${fmtInt(bs.minifiedBytes)} B · gzip ${fmtInt(bs.gzipBytes)} B`,
      budget: hook ? `≤ ${fmtInt(PAGE_HOOK_BUDGET_BYTES)} B minified` : '—',
      met,
      status: met === null ? 'reported' : met ? `met (${fmtInt(PAGE_HOOK_BUDGET_BYTES - bs.builtBytes)} B left)` : `MISSED by ${fmtInt(bs.builtBytes - PAGE_HOOK_BUDGET_BYTES)} B`,
    });
  }

  return finish(rows, json, args, env, cfg, t0);
}

function finish(rows: Row[], json: Record<string, unknown>, args: ReturnType<typeof parseArgs>, env: ReturnType<typeof machine> & { extension: string; distBuiltAt: string }, cfg: PageCostConfig, t0: number): void {
  json.durationS = Math.round((Date.now() - t0) / 1000);
  json.rows = rows;
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, JSON.stringify(json, null, 2) + '\n');
  const frameShape = { textBytes: Buffer.byteLength(textFrame(0)), inboundBinaryKind4Bytes: kind4Frame(0).length };
  printTable(rows, env, cfg, frameShape, args.quick, json.durationS as number, args.only ? [...args.only].join(',') : undefined);
  log(`figures written to ${args.out}`);
  // Missed budgets are figures, not failures; a part of the harness that could not run is one.
  const errors = rows.filter((r) => r.status === 'ERROR');
  if (errors.length) {
    log(`bench: ${errors.length} part(s) failed to run: ${errors.map((r) => r.figure).join('; ')}`);
    process.exitCode = 1;
  }
}

function printTable(rows: Row[], env: ReturnType<typeof machine> & { extension: string; distBuiltAt: string }, cfg: PageCostConfig, shape: { textBytes: number; inboundBinaryKind4Bytes: number }, quick: boolean, seconds: number, only?: string): void {
  const out: string[] = [];
  out.push(`claimscope bench${quick ? ' --quick (small: proves the harness, not figures to quote)' : ''}${only ? ` --only ${only} (every other part skipped)` : ''} — ${new Date().toISOString()}, ${seconds} s`);
  out.push(`machine: ${env.cores} cores (${env.cpu}), ${env.memGB} GB, ${env.chromium}, node ${env.node}; commit ${env.commit}${env.srcDirty ? ' + uncommitted src changes' : ''}; extension ${env.extension} built ${env.distBuiltAt}`);
  out.push(
    `page cost: fresh browser + profile per launch, raw CDP, ${cfg.rounds} rounds (A B N rotated) × ${cfg.reps} repetitions; ${fmtInt(cfg.inbound)} inbound + ${fmtInt(cfg.outbound)} outbound frames per repetition, ` +
      `1 in ${BINARY_EVERY} binary (kind 4 in, kind 3 out), text ${shape.textBytes} B, kind-4 ${shape.inboundBinaryKind4Bytes} B; drain ${cfg.drainMs} ms counted in CPU; ratio = median over rounds (range)`,
  );
  const headers = ['section', 'figure', 'value', 'budget', 'status'];
  const cells = rows.map((r) => [r.section, r.figure, r.value, r.budget, r.status]);
  const widths = headers.map((h, i) => Math.min(i === 2 ? 70 : 64, Math.max(h.length, ...cells.map((c) => c[i].length))));
  const line = (c: string[]) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]))).join('  ');
  out.push('');
  out.push(line(headers));
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  let section = '';
  for (const c of cells) {
    if (c[0] !== section && section) out.push('');
    section = c[0];
    out.push(line(c));
  }
  const missed = rows.filter((r) => r.met === false);
  out.push('');
  out.push(missed.length ? `budgets missed: ${missed.map((r) => `${r.figure} (${r.status})`).join('; ')}` : 'every measured budget is met');
  console.log(out.join('\n'));
}

main().catch((e: unknown) => {
  console.error(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
