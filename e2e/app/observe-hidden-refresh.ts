/**
 * The hidden-refresh scenario with a REALLY hidden and frozen tab, without the extension:
 *
 *   npx tsx e2e/app/observe-hidden-refresh.ts [lifetimeSeconds=100]
 *
 * Playwright keeps every page it drives visible (newPage, bringToFront, window minimize and
 * Target.createTarget all leave visibilityState "visible", and Page.setWebLifecycleState "frozen"
 * is then a silent no-op). A plain CDP connection has no such emulation: opening a second tab
 * hides the first (a real `visibilitychange`), `Page.setWebLifecycleState {state:"frozen"}` then
 * really freezes it (`freeze`, timers stop), and `Target.activateTarget` shows it again. So this
 * script launches Chromium itself and speaks CDP over a WebSocket.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startDemoServer } from '../../scripts/start-server';
import type { Observation } from './observe';

const here = fileURLToPath(new URL('.', import.meta.url));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const lifetime = Number(process.argv[2] ?? 100);
  const demo = await startDemoServer({ port: 0, appDir: resolve(here, '../../dist/app') });
  const dir = mkdtempSync(join(tmpdir(), 'claimscope-hidden-'));
  const url = `${demo.realisticAppUrl}?scenario=hidden-refresh&lifetime=${lifetime}`;
  const chrome = spawn(
    process.env.CHROME_PATH ?? '/usr/bin/chromium',
    ['--headless=new', '--no-sandbox', '--disable-gpu', '--remote-debugging-port=0', `--user-data-dir=${dir}`,
      '--host-resolver-rules=MAP *.supabase.co 127.0.0.1', url],
    { stdio: 'ignore' },
  );
  try {
    const portFile = join(dir, 'DevToolsActivePort');
    for (let i = 0; i < 100 && !existsSync(portFile); i++) await sleep(100);
    const [port, path] = readFileSync(portFile, 'utf8').split('\n');
    const cdp = await Cdp.connect(`ws://127.0.0.1:${port}${path}`);
    await sleep(500);
    const { targetInfos } = await cdp.send<{ targetInfos: Array<{ targetId: string; type: string; url: string }> }>('Target.getTargets');
    const app = targetInfos.find((t) => t.type === 'page' && t.url.includes('/app/'));
    if (!app) throw new Error('demo page target not found');
    const { sessionId } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', { targetId: app.targetId, flatten: true });
    // Frames as the browser's network layer sees them (what devtools.network shows the panel).
    const frames: string[] = [];
    cdp.onEvent = (method, params, sid) => {
      if (sid !== sessionId) return;
      const p = params as { response?: { payloadData?: string; opcode?: number }; errorMessage?: string; timestamp?: number };
      if (method === 'Network.webSocketFrameReceived') frames.push(`< ${p.response?.opcode === 2 ? '<binary>' : p.response?.payloadData}`);
      if (method === 'Network.webSocketFrameSent') frames.push(`> ${p.response?.opcode === 2 ? '<binary>' : p.response?.payloadData}`);
      if (method === 'Network.webSocketClosed') frames.push('socket closed');
      if (method === 'Network.webSocketFrameError') frames.push(`frame error ${p.errorMessage}`);
      if (method === 'Network.webSocketCreated') frames.push('socket created');
    };
    await cdp.send('Network.enable', {}, sessionId);
    const observations = async (): Promise<Observation[]> => {
      const r = await cdp.send<{ result: { value?: Observation[] } }>(
        'Runtime.evaluate', { expression: 'window.__observations ?? []', returnByValue: true }, sessionId);
      return r.result.value ?? [];
    };
    const waitFor = async (pred: (o: Observation[]) => boolean, ms: number): Promise<boolean> => {
      for (const end = Date.now() + ms; Date.now() < end; await sleep(250)) if (pred(await observations())) return true;
      return false;
    };
    if (!(await waitFor((o) => o.some((x) => x.text.includes('now hide or freeze')), 30_000))) throw new Error('never SUBSCRIBED');
    const other = await cdp.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
    await sleep(500);
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' }, sessionId);
    console.log(`tab hidden and frozen for ${lifetime + 15} s…`);
    await sleep((lifetime + 15) * 1000);
    console.log(`before resume: server sockets open ${demo.server.socketCount()}, joined ${JSON.stringify(demo.server.joinedTopics())}`);
    await cdp.send('Page.setWebLifecycleState', { state: 'active' }, sessionId);
    await cdp.send('Target.activateTarget', { targetId: app.targetId });
    await cdp.send('Target.closeTarget', { targetId: other.targetId });
    await waitFor((o) => o.some((x) => x.kind === 'done'), 150_000);
    for (const o of await observations()) console.log(`${o.source.padEnd(7)} ${o.kind.padEnd(9)} ${o.text}`);
    console.log('--- frames (CDP Network) ---');
    for (const f of frames) console.log(f.slice(0, 200));
    const t0 = demo.server.logs[0]?.at ?? 0;
    for (const l of demo.server.logs) console.log(`server log +${((l.at - t0) / 1000).toFixed(1)} s ${l.code}: ${l.message}`);
    cdp.close();
  } finally {
    chrome.kill();
    await demo.close();
    await sleep(300);
    rmSync(dir, { recursive: true, force: true });
  }
}

class Cdp {
  private id = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  onEvent: (method: string, params: unknown, sessionId: string | undefined) => void = () => undefined;
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: unknown; sessionId?: string };
      if (m.method) this.onEvent(m.method, m.params, m.sessionId);
      const p = m.id === undefined ? undefined : this.pending.get(m.id);
      if (!p || m.id === undefined) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(m.error.message));
      else p.resolve(m.result);
    });
  }
  static async connect(url: string): Promise<Cdp> {
    const ws = new WebSocket(url);
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    return new Cdp(ws);
  }
  send<T = unknown>(method: string, params: object = {}, sessionId?: string): Promise<T> {
    const id = ++this.id;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }
  close(): void {
    this.ws.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
