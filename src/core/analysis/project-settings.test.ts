// The panel's settings reach the engine through ProjectKnowledge (issue 11 item 5): an expected
// issuer silences iss-unexpected for that issuer only, and the refresh margin moves the
// "expires soon" warning. Real tokens (jose), a captured session as the page hook records it.
import { describe, expect, it } from 'vitest';
import type { CapturedEvent, CapturedEventBody } from '../model';
import { makeTestKeys, mint, userClaims } from '../tokens/testing';
import type { ProjectKnowledge } from '../tokens/project';
import { analyzeSession } from './analyze';
import { trackRealtime } from '../realtime';

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);
const NOW_S = Math.floor(T0 / 1000);
const DEMO_ANON = { iss: 'supabase-demo', role: 'anon', exp: 1983812996 };
const keys = await makeTestKeys();
const anon = await mint(keys, { claims: DEMO_ANON });

function session(token: string): CapturedEvent[] {
  const events: CapturedEvent[] = [];
  let seq = 0;
  const push = (body: CapturedEventBody) => events.push({ ...body, seq: ++seq, time: T0 + seq * 10, docId: 'doc', source: 'page' } as CapturedEvent);
  push({ kind: 'ws-connecting', conn: 'c1', url: `ws://localhost:54321/realtime/v1/websocket?apikey=${anon}&vsn=2.0.0`, protocols: [] });
  push({ kind: 'ws-open', conn: 'c1', protocol: '', extensions: '' });
  const frame = (dir: 'sent' | 'received', message: unknown[]) => {
    const text = JSON.stringify(message);
    push({ kind: 'ws-frame', conn: 'c1', dir, opcode: 'text', text, size: text.length });
  };
  frame('sent', ['1', '1', 'realtime:room1', 'phx_join', { config: { broadcast: { ack: false, self: false }, presence: { key: '', enabled: false }, postgres_changes: [], private: false }, access_token: token }]);
  frame('received', ['1', '1', 'realtime:room1', 'phx_reply', { status: 'ok', response: { postgres_changes: [] } }]);
  return events;
}

async function codes(token: string, project: ProjectKnowledge): Promise<string[]> {
  const events = session(token);
  const analysis = await analyzeSession(events, trackRealtime(events), { now: T0 + 1_000, project });
  return analysis.findings.map((f) => f.code);
}

describe('expected issuer (custom domain, third-party auth)', () => {
  const custom = 'https://auth.example.com/auth/v1';

  it('a token of another issuer is flagged until that issuer is expected', async () => {
    const token = await mint(keys, { claims: userClaims(NOW_S, { iss: custom }) });
    expect(await codes(token, {})).toContain('iss-unexpected');
    expect(await codes(token, { expectedIssuer: custom })).not.toContain('iss-unexpected');
    // The same Auth server written differently (trailing slash, default port) is the same issuer.
    expect(await codes(token, { expectedIssuer: 'https://auth.example.com:443/auth/v1/' })).not.toContain('iss-unexpected');
    expect(await codes(token, { expectedIssuer: ['https://other.example.com/auth/v1', custom] })).not.toContain('iss-unexpected');
  });

  it('silences only that issuer: a third one is still flagged, and the message names the configured one', async () => {
    const token = await mint(keys, { claims: userClaims(NOW_S, { iss: 'https://evil.example.net/auth/v1' }) });
    const events = session(token);
    const analysis = await analyzeSession(events, trackRealtime(events), { now: T0 + 1_000, project: { expectedIssuer: custom } });
    const f = analysis.findings.find((x) => x.code === 'iss-unexpected');
    expect(f?.message).toContain(custom);
  });

  it('the project\'s own issuer and the anon key stay accepted when an issuer is configured', async () => {
    const own = await mint(keys, { claims: userClaims(NOW_S, { iss: 'http://127.0.0.1:54321/auth/v1' }) });
    expect(await codes(own, {})).not.toContain('iss-unexpected');
    expect(await codes(own, { expectedIssuer: custom })).not.toContain('iss-unexpected');
  });

  it('a blank configured issuer is no configuration', async () => {
    const token = await mint(keys, { claims: userClaims(NOW_S, { iss: custom }) });
    expect(await codes(token, { expectedIssuer: '  ' })).toContain('iss-unexpected');
  });
});

describe('refresh margin', () => {
  it('moves the token-expires-soon warning: 120 s before exp is not "soon" by auth-js\'s 90 s, but is with 300 s', async () => {
    const token = await mint(keys, { claims: userClaims(NOW_S, { iss: 'http://127.0.0.1:54321/auth/v1', exp: NOW_S + 121 }) });
    expect(await codes(token, {})).not.toContain('token-expires-soon');
    const events = session(token);
    const analysis = await analyzeSession(events, trackRealtime(events), { now: T0 + 1_000, project: { refreshMarginSeconds: 300 } });
    const f = analysis.findings.find((x) => x.code === 'token-expires-soon');
    expect(f?.cause).toMatch(/300 s before exp \(your refresh margin setting\)/);
  });

  it('a nonsensical margin falls back to the default instead of silencing the rule', async () => {
    const token = await mint(keys, { claims: userClaims(NOW_S, { iss: 'http://127.0.0.1:54321/auth/v1', exp: NOW_S + 60 }) });
    expect(await codes(token, { refreshMarginSeconds: -5 })).toContain('token-expires-soon');
    expect(await codes(token, { refreshMarginSeconds: Number.NaN })).toContain('token-expires-soon');
  });
});
