// Issue 9 item 8: a healthy local session raises no issuer or project alarm when the page and the
// Supabase CLI name the loopback host differently (`supabase start` issues
// http://127.0.0.1:54321/auth/v1; many apps use http://localhost:54321), and the CLI agrees.
import { describe, expect, it } from 'vitest';
import type { CapturedEvent, CapturedEventBody } from '../model';
import { main } from '../../cli/claimscope';
import { makeTestKeys, mint, userClaims } from '../tokens/testing';
import { analyzeSession } from './analyze';
import { trackRealtime } from '../realtime';

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);
const NOW_S = Math.floor(T0 / 1000);
const DEMO_ANON = { iss: 'supabase-demo', role: 'anon', exp: 1983812996 };

function localSession(pageHost: string, token: string, anon: string): CapturedEvent[] {
  const events: CapturedEvent[] = [];
  let seq = 0;
  const push = (body: CapturedEventBody) => events.push({ ...body, seq: ++seq, time: T0 + seq * 10, docId: 'doc', source: 'page' } as CapturedEvent);
  const base = `http://${pageHost}:54321`;
  push({ kind: 'http-request', req: 'r1', method: 'GET', url: `${base}/rest/v1/todos?select=*`, headers: { authorization: `Bearer ${token}`, apikey: anon }, api: 'fetch' });
  push({ kind: 'http-response', req: 'r1', status: 200 });
  push({ kind: 'ws-connecting', conn: 'c1', url: `ws://${pageHost}:54321/realtime/v1/websocket?apikey=${anon}&vsn=2.0.0`, protocols: [] });
  push({ kind: 'ws-open', conn: 'c1', protocol: '', extensions: '' });
  const frame = (dir: 'sent' | 'received', message: unknown[]) => {
    const text = JSON.stringify(message);
    push({ kind: 'ws-frame', conn: 'c1', dir, opcode: 'text', text, size: text.length });
  };
  frame('sent', ['1', '1', 'realtime:todos', 'phx_join', { config: { broadcast: { ack: false, self: false }, presence: { key: '', enabled: false }, postgres_changes: [{ event: '*', schema: 'public', table: 'todos' }], private: false }, access_token: token }]);
  frame('received', ['1', '1', 'realtime:todos', 'phx_reply', { status: 'ok', response: { postgres_changes: [{ id: 1, event: '*', schema: 'public', table: 'todos' }] } }]);
  return events;
}

describe('issuer identity on a local stack', () => {
  it.each([
    ['localhost', '127.0.0.1'],
    ['127.0.0.1', 'localhost'],
  ])('page on %s, token issued for %s: no iss-unexpected, no project-mismatch, no warning', async (pageHost, issuerHost) => {
    const keys = await makeTestKeys();
    const token = await mint(keys, { claims: userClaims(NOW_S, { iss: `http://${issuerHost}:54321/auth/v1` }) });
    const anon = await mint(keys, { claims: DEMO_ANON });
    const events = localSession(pageHost, token, anon);
    const analysis = await analyzeSession(events, trackRealtime(events), { now: T0 + 1_000 });
    const loud = analysis.findings.filter((f) => f.severity !== 'info').map((f) => f.code);
    expect(loud).toEqual([]);
    expect(analysis.findings.map((f) => f.code)).not.toContain('iss-unexpected');

    // The CLI judges the same token against the same project URL the same way.
    const out: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => out.push(s), readStdin: async () => '', readFile: async () => '', now: () => T0 + 1_000 };
    await main(['decode', token, '--project-url', `http://${pageHost}:54321`, '--json'], io);
    const codes = (JSON.parse(out.join('')) as { findings: Array<{ code: string }> }).findings.map((f) => f.code);
    expect(codes).not.toContain('iss-unexpected');
  });

  it('a token of another local port is still another issuer', async () => {
    const keys = await makeTestKeys();
    const token = await mint(keys, { claims: userClaims(NOW_S, { iss: 'http://127.0.0.1:9999/auth/v1' }) });
    const anon = await mint(keys, { claims: DEMO_ANON });
    const events = localSession('localhost', token, anon);
    const analysis = await analyzeSession(events, trackRealtime(events), { now: T0 + 1_000 });
    expect(analysis.findings.map((f) => f.code)).toContain('iss-unexpected');
    // …and the CLI says so too, on the same inputs.
    const out: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => out.push(s), readStdin: async () => '', readFile: async () => '', now: () => T0 + 1_000 };
    await main(['decode', token, '--project-url', 'http://localhost:54321', '--json'], io);
    expect((JSON.parse(out.join('')) as { findings: Array<{ code: string }> }).findings.map((f) => f.code)).toContain('iss-unexpected');
  });
});
