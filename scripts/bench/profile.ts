// Where the page's time goes during a flood: a CPU profile of the flood tab's renderer main thread
// (the page, the MAIN-world hook and the ISOLATED-world content script all run there), self time
// summed by script and by function. Diagnostic only — the Profiler slows what it watches, so its
// figures are shares, never the page cost (scripts/bench/page-cost.ts measures that, unprofiled).
//
//   npm run build && node --import tsx scripts/bench/profile.ts [--extension DIR] [--none] [--in N] [--out N] [--top K] [--save]
// (--save writes flood-inbound.cpuprofile and flood-outbound.cpuprofile, for DevTools' Performance panel)

import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { extensionId, launch, sleep } from './chromium';
import { startFloodServer } from './flood-server';
import { openFloodPage } from './page-cost';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const inbound = Number(arg('--in', '50000'));
const outbound = Number(arg('--out', '10000'));
const top = Number(arg('--top', '25'));
const src = resolve(arg('--extension', 'dist/chrome'));
const noExt = process.argv.includes('--none');

function summarize(p: Profile, label: string): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const byScript = new Map<string, number>();
  const byFn = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const url = n.callFrame.url;
    const script = url.startsWith('chrome-extension://') ? 'ext:' + url.replace(/^chrome-extension:\/\/[^/]+\//, '') : url ? (url.includes('flood.html') ? 'flood page' : url) : `(${n.callFrame.functionName || 'native'})`;
    total += us;
    byScript.set(script, (byScript.get(script) ?? 0) + us);
    const fn = `${script} ${n.callFrame.functionName || '(anonymous)'}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
  }
  console.log(`\n== ${label}: ${(total / 1000).toFixed(0)} ms sampled`);
  for (const [k, v] of [...byScript].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(1).padStart(8)} ms  ${k}`);
  console.log('  -- functions');
  for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(1).padStart(8)} ms  ${k}`);
}

const server = await startFloodServer();
let dir: string | undefined;
if (!noExt) {
  dir = join(mkdtempSync(join(tmpdir(), 'claimscope-profile-')), 'ext');
  cpSync(src, dir, { recursive: true });
}
const browser = await launch({ extensions: dir ? [dir] : [] });
try {
  const { cdp } = browser;
  if (dir) await extensionId(cdp);
  const { sessionId } = await openFloodPage(cdp, server.pageUrl());
  await sleep(1000);
  await cdp.evaluate(sessionId, 'window.bench.inbound(5000)');
  await cdp.evaluate(sessionId, 'window.bench.outbound(2000)');
  await sleep(1000);
  await cdp.send('Profiler.enable', {}, sessionId);
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 }, sessionId);
  for (const [dirn, n] of [['inbound', inbound], ['outbound', outbound]] as const) {
    await cdp.send('Profiler.start', {}, sessionId);
    const r = await cdp.evaluate<{ ms: number }>(sessionId, `window.bench.${dirn}(${n})`);
    await sleep(1000); // the drain: work deferred past the timed window counts
    const { profile } = await cdp.send('Profiler.stop', {}, sessionId);
    summarize(profile as Profile, `${dirn} ${n} frames, page time ${r.ms.toFixed(0)} ms (profiled)`);
    if (process.argv.includes('--save')) writeFileSync(`flood-${dirn}.cpuprofile`, JSON.stringify(profile));
  }
} finally {
  await browser.close();
  await server.close();
}
