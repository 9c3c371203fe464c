// The content script's per-frame work: ContentStore.ingest on hook batches shaped like the flood's
// (500 frames: V2 text broadcasts of ~290 bytes, 1 in 5 a kind-4 binary broadcast, as the hook
// posts them: one frame run), no panel listening; µs per event at arrival while the store fills up to its cap and
// once it evicts, then the read a panel's snapshot makes of what waited. Runs in Chromium's V8 (bundled, one fresh headless browser; the figure that matters: the
// content script runs there) and with `--node` in Node. Diagnostic for issue 14 (where the page's
// microseconds go): the page cost itself is page-cost.ts.
//
//   node --import tsx scripts/bench/content-ingest.ts [--node]

import { ContentStore } from '../../src/content/store';
import { PROTOCOL_VERSION, STORE_LIMITS } from '../../src/messages';
import { FakeClock, portPair } from '../../src/transport/testing';

const BATCH = 500;
const FRAMES = 50_000;
const T = 1_764_000_000_000;

function textFrame(i: number): string {
  const payload = { seq: i, x: (i * 7) % 1280, y: (i * 13) % 800, user: `user-${(i % 37).toString().padStart(4, '0')}`, color: '#3ecf8e', ts: T + i,
    note: 'lorem ipsum dolor sit amet, consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna' };
  return JSON.stringify([null, null, `realtime:room-${i % 5}`, 'broadcast', { type: 'broadcast', event: 'cursor', payload }]);
}
function kind4Frame(i: number): ArrayBuffer {
  const enc = new TextEncoder();
  const topic = enc.encode(`realtime:room-${i % 5}`);
  const event = enc.encode('cursor');
  const payload = enc.encode(JSON.stringify({ seq: i, x: (i * 7) % 1280, y: (i * 13) % 800, user: `user-${i % 37}`, color: '#3ecf8e', ts: T + i, pad: 'x'.repeat(80) }));
  const out = new Uint8Array(5 + topic.length + event.length + payload.length);
  out.set([4, topic.length, event.length, 0, 1]);
  out.set(topic, 5);
  out.set(event, 5 + topic.length);
  out.set(payload, 5 + topic.length + event.length);
  return out.buffer;
}
/** A hook batch: the hook packs consecutive whole frames of one socket and direction as one run (src/page/hook.ts flush). */
function batch(from: number) {
  const t: number[] = [];
  const x: Array<string | ArrayBuffer> = [];
  for (let i = from; i < from + BATCH; i++) {
    t.push(T + i);
    x.push(i % 5 === 4 ? kind4Frame(i) : textFrame(i));
  }
  return { v: PROTOCOL_VERSION, type: 'batch', events: [{ kind: 'ws-frames', conn: '1', dir: 'received', t, x }] };
}

export function ingestBench(now: () => number): string[] {
  const clock = new FakeClock();
  clock.now = T;
  const store = new ContentStore({
    docId: 'benchdoc', url: 'http://127.0.0.1/flood.html', isTop: true, startedAt: clock.now, window: {},
    currentUrl: () => 'http://127.0.0.1/flood.html', connect: () => portPair()[0], now: () => clock.now,
    setTimer: clock.setTimer, clearTimer: clock.clearTimer,
  });
  store.ingest({ v: PROTOCOL_VERSION, type: 'batch', events: [{ kind: 'ws-connecting', conn: '1', url: 'ws://127.0.0.1/realtime/v1/websocket?vsn=2.0.0', protocols: [], time: T }] });
  const batches = Array.from({ length: FRAMES / BATCH }, (_, k) => batch(k * BATCH));
  const fill = STORE_LIMITS.maxEvents / BATCH;
  const out: string[] = [];
  for (let round = 0; round < 4; round++) {
    // What the structured clone of a port message gives the content script: fresh objects.
    const clones = batches.map((b) => structuredClone(b));
    const t0 = now();
    let fillMs = 0;
    clones.forEach((b, k) => {
      store.ingest(b);
      if (round === 0 && k === fill - 1) fillMs = now() - t0;
    });
    const ms = now() - t0;
    // Bulk frames wait unread until something needs the store (a panel's snapshot): that read, timed apart.
    const t1 = now();
    const held = store.events().length;
    const readMs = now() - t1;
    out.push(`round ${round + 1}: at arrival ${((ms * 1000) / FRAMES).toFixed(2)} µs/event over ${FRAMES}` +
      (fillMs ? ` (the first ${STORE_LIMITS.maxEvents}, filling the store: ${((fillMs * 1000) / STORE_LIMITS.maxEvents).toFixed(2)} µs/event)` : '') +
      `; then read when asked: ${readMs.toFixed(0)} ms for the ${held} held (${((readMs * 1000) / held).toFixed(2)} µs/event)`);
  }
  return out;
}

if (typeof process !== 'undefined' && process.argv?.[1]?.endsWith('content-ingest.ts')) {
  if (process.argv.includes('--node')) {
    console.log(`Node ${process.version}:`);
    for (const line of ingestBench(() => performance.now())) console.log('  ' + line);
  } else {
    const { build } = await import('esbuild');
    const { launch } = await import('./chromium');
    const bundle = await build({
      stdin: { contents: `import { ingestBench } from './scripts/bench/content-ingest.ts'; globalThis.ingestBench = ingestBench;`, resolveDir: process.cwd(), loader: 'ts' },
      bundle: true, format: 'iife', write: false, minifyWhitespace: true, minifySyntax: true, target: 'es2022', define: { 'process.argv': 'undefined' },
    });
    const browser = await launch();
    try {
      const { targetId } = await browser.cdp.send('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await browser.cdp.send('Target.attachToTarget', { targetId, flatten: true });
      await browser.cdp.evaluate(sessionId, bundle.outputFiles[0]!.text + ';true');
      const profile = process.argv.includes('--profile');
      if (profile) {
        await browser.cdp.send('Profiler.enable', {}, sessionId);
        await browser.cdp.send('Profiler.start', {}, sessionId);
      }
      const lines = await browser.cdp.evaluate<string[]>(sessionId, 'ingestBench(() => performance.now())', 300_000);
      if (profile) {
        const { writeFileSync } = await import('node:fs');
        const { profile: p } = await browser.cdp.send('Profiler.stop', {}, sessionId);
        writeFileSync('content-ingest.cpuprofile', JSON.stringify(p));
        lines.push('(profiled: figures inflated; profile in content-ingest.cpuprofile)');
      }
      console.log('Chromium (headless, a fresh profile):');
      for (const line of lines) console.log('  ' + line);
    } finally {
      await browser.close();
    }
  }
}
