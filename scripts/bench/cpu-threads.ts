// Where a flood's CPU goes outside the page's main thread: the CPU time of every thread of the
// browser's process tree (/proc/<pid>/task/<tid>/stat), grouped by process type (browser, renderer,
// gpu, utility, …) and thread name, over one inbound flood plus the drain, with no extension and with
// one, alternated. Diagnostic only: page-cost.ts measures the ratios; this says which threads differ.
//
//   npm run build && node --import tsx scripts/bench/cpu-threads.ts [--extension DIR]... [--rounds N] [--in N] [--dir inbound|outbound]
// (several --extension DIR: each is an arm beside "none", in rotated order each round; A/B of builds)

import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { extensionId, launch, sleep } from './chromium';
import { startFloodServer } from './flood-server';
import { openFloodPage } from './page-cost';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const rounds = Number(arg('--rounds', '3'));
const frames = Number(arg('--in', '50000'));
const direction = arg('--dir', 'inbound');
const srcs = process.argv.flatMap((a, i) => (a === '--extension' ? [resolve(process.argv[i + 1]!)] : []));
if (!srcs.length) srcs.push(resolve('dist/chrome'));
const CLK_TCK = 100;

/** CPU ms per "process type / thread name" of `root`'s tree. */
function threadCpu(root: number): Map<string, number> {
  const parent = new Map<number, number>();
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      pids.push(Number(name));
    } catch {}
  }
  const inTree = (pid: number) => {
    for (let p: number | undefined = pid, d = 0; p !== undefined && p > 1 && d < 64; d++, p = parent.get(p)) if (p === root) return true;
    return false;
  };
  const out = new Map<string, number>();
  for (const pid of pids) {
    if (!inTree(pid)) continue;
    let type = 'browser';
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
      const t = cmd.find((a) => a.startsWith('--type='))?.slice(7);
      if (t) type = t + (cmd.some((a) => a.startsWith('--extension-process')) ? '(ext)' : '');
      const sub = cmd.find((a) => a.startsWith('--utility-sub-type='))?.slice(19);
      if (sub) type += ':' + sub.replace(/^.*\./, '');
    } catch {}
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {}
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '#');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const key = `${type} / ${comm}`;
        out.set(key, (out.get(key) ?? 0) + ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK);
      } catch {}
    }
  }
  return out;
}

function diff(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const d = new Map<string, number>();
  for (const [k, v] of b) d.set(k, v - (a.get(k) ?? 0));
  return d;
}

const server = await startFloodServer();
// Arm 0 is no extension; arm i is a copy of srcs[i-1] (a fresh profile loads it each launch).
const arms = ['none', ...srcs.map((src, i) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'claimscope-threads-')), 'ext');
  cpSync(src, dir, { recursive: true });
  return dir;
})];
const names = ['none', ...srcs.map((s) => s.replace(/.*\//, ''))];
const totals: Map<string, number>[][] = arms.map(() => []);
const times: number[][] = arms.map(() => []);
for (let r = 0; r < rounds; r++) {
  for (let j = 0; j < arms.length; j++) {
    const a = (j + r) % arms.length;
    const browser = await launch({ extensions: a ? [arms[a]!] : [] });
    try {
      const { cdp, pid } = browser;
      if (a) await extensionId(cdp);
      const { sessionId } = await openFloodPage(cdp, server.pageUrl());
      await sleep(1000);
      await cdp.evaluate(sessionId, 'window.bench.inbound(5000)');
      await cdp.evaluate(sessionId, 'window.bench.outbound(2000)');
      await sleep(1000);
      const t0 = threadCpu(pid);
      const res = await cdp.evaluate<{ ms: number }>(sessionId, `window.bench.${direction}(${frames})`);
      await sleep(1000);
      const d = diff(t0, threadCpu(pid));
      totals[a]!.push(d);
      times[a]!.push(res.ms);
      const sum = [...d.values()].reduce((x, y) => x + y, 0);
      const main = [...d].filter(([k]) => k.startsWith('renderer / chromium')).reduce((x, [, v]) => x + v, 0);
      console.log(`round ${r + 1} ${names[a]}: page ${res.ms.toFixed(0)} ms, tree CPU ${sum.toFixed(0)} ms, renderer main threads ${main.toFixed(0)} ms`);
    } finally {
      await browser.close();
    }
  }
}
await server.close();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const keys = new Set(totals.flat().flatMap((m) => [...m.keys()]));
const cpu = (a: number, k?: string) => median(totals[a]!.map((m) => (k ? m.get(k) ?? 0 : [...m.values()].reduce((x, y) => x + y, 0))));
console.log(`\nmedians over ${rounds} rounds, ${frames} ${direction} frames + 1 s drain (CPU ms; ratio to none):`);
for (let a = 0; a < arms.length; a++) {
  console.log(`  ${names[a]!.padEnd(24)} page ${median(times[a]!).toFixed(0).padStart(5)} ms (${(median(times[a]!) / median(times[0]!)).toFixed(3)})  tree CPU ${cpu(a).toFixed(0).padStart(5)} ms (${(cpu(a) / cpu(0)).toFixed(3)})`);
}
const rows = [...keys].map((k) => ({ k, v: arms.map((_, a) => cpu(a, k)) })).filter((r) => r.v.some((x) => x > 15));
rows.sort((x, y) => Math.max(...y.v) - Math.min(...y.v) - (Math.max(...x.v) - Math.min(...x.v)));
console.log(`by process type / thread: ${names.join(' | ')}`);
for (const { k, v } of rows) console.log(`  ${v.map((x) => x.toFixed(0).padStart(6)).join(' ')}  ${k}`);
