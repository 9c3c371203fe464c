// The bug report summary (issue 13 item 3): what a person filing or reading a bug needs — the
// findings with cause, fix and evidence, the tokens' claims, the timeline around the first failure,
// the environment — with no secret in it, and captured text that cannot break out of its code span.

import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../model';
import { Session } from '../session';
import { loadFixture, replayFixture } from '../session/fixtures.testing';
import { scanForCanaries } from './canary-scan';
import { bugReportMarkdown, code, plain } from './bug-report';

async function live(name: string): Promise<{ session: Session; raw: string }> {
  const fx = loadFixture(name);
  return { session: await replayFixture(fx), raw: JSON.stringify(fx.messages) };
}

const OPTIONS = { extensionVersion: '0.1.0', browser: 'Chromium 156', userAgent: 'Mozilla/5.0 test' };

/** Markdown minus its code spans, CommonMark's way: a run of n backticks closes at the next run of exactly n. */
function withoutCodeSpans(md: string): string {
  let out = '';
  let i = 0;
  while (i < md.length) {
    if (md[i] === '\\') {
      // a backslash escape: the next character is literal (an escaped backtick opens no span)
      out += md.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (md[i] !== '`') {
      out += md[i++];
      continue;
    }
    let n = 0;
    while (md[i + n] === '`') n++;
    let j = i + n;
    let close = -1;
    while (j < md.length) {
      if (md[j] === '`') {
        let m = 0;
        while (md[j + m] === '`') m++;
        if (m === n) {
          close = j;
          break;
        }
        j += m;
      } else j++;
    }
    if (close === -1) {
      out += md.slice(i, i + n);
      i += n;
    } else i = close + n;
  }
  return out;
}

const b64url = (s: string) => Buffer.from(s).toString('base64url');

describe('bug report markdown', () => {
  it('expired token: the findings with cause, fix and evidence, the token claims, the failing join in the timeline, the environment', async () => {
    const { session } = await live('expired-token');
    const md = bugReportMarkdown(session, OPTIONS);
    expect(md).toMatch(/^# Claimscope report/);
    expect(md).toMatch(/^2 error\(s\), 0 warning\(s\)/m);
    expect(md).toMatch(/^### \d\. ERROR `token-expired`$/m);
    expect(md).toMatch(/^### \d\. ERROR `server-join-rejected`$/m);
    expect(md).toMatch(/\*\*Fix:\*\* Refresh the session/);
    expect(md).toMatch(/\*\*Evidence:\*\*.*serverText `InvalidJWTToken: Token has expired 120 seconds ago`/);
    // The token's claims, with exp readable.
    expect(md).toMatch(/\| claims \| `exp` \| `\d+` \(2026-12-03T10:12:01\.000Z\) \|/);
    expect(md).toMatch(/\| claims \| `role` \| `authenticated` \|/);
    // The timeline: the join at Δ 0, the error reply after it, in time order.
    const timeline = md.slice(md.indexOf('## Timeline around the first failure'), md.indexOf('## Environment'));
    expect(timeline).toMatch(/\| 0 \| `[^`]+` \| `↑ realtime:room1 phx_join/);
    expect(timeline).toMatch(/\| \+0\.\d{3} s \| `[^`]+` \| `↓ realtime:room1 phx_reply error \(InvalidJWTToken: Token has expired 120 seconds ago\)/);
    const times = [...timeline.matchAll(/^\| (\d\d:\d\d:\d\d\.\d{3})Z/gm)].map((m) => m[1]);
    expect(times).toEqual([...times].sort());
    expect(md).toMatch(/^- Claimscope `0\.1\.0` on `Chromium 156`$/m);
    expect(md).toMatch(/^- Clock skew \(server − browser\): -?\d+ ms/m);
    expect(md).toMatch(/^- Realtime protocol: `2\.0\.0`$/m);
  });

  it.each(['expired-token', 'service-role', 'signout-publishable', 'other-project'])('%s: no JWT signature, no sb_secret_ key, no e-mail of the capture', async (name) => {
    const { session, raw } = await live(name);
    const md = bugReportMarkdown(session, OPTIONS);
    const secrets = new Set<string>();
    for (const m of raw.matchAll(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.([A-Za-z0-9_-]{16,})/g)) secrets.add(m[1]);
    for (const m of raw.matchAll(/sb_secret_[A-Za-z0-9_-]{8,}/g)) secrets.add(m[0]);
    const a = session.snapshot().analysis;
    if (a.kind === 'done') for (const t of a.result.analysis.tokens) if (typeof t.token.claims?.email === 'string' && t.token.claims.email) secrets.add(t.token.claims.email);
    expect(secrets.size).toBeGreaterThan(0);
    expect(scanForCanaries(md, [...secrets])).toEqual([]);
  });

  it('names the client from X-Client-Info where the capture recorded it', async () => {
    const t = 1_800_000_000_000;
    const session = new Session({ tabId: 1 });
    session.applyLocal([
      { kind: 'http-request', req: 'r1', method: 'GET', url: 'http://127.0.0.1:1/auth/v1/user', headers: { apikey: 'sb_publishable_abc', 'x-client-info': 'supabase-js-web/2.119.1' }, api: 'fetch', seq: 1, time: t, docId: 'd', source: 'page' },
      { kind: 'http-response', req: 'r1', status: 200, seq: 2, time: t + 5, docId: 'd', source: 'page' },
    ] as unknown as CapturedEvent[]);
    await session.analyse(t + 10);
    expect(bugReportMarkdown(session, OPTIONS)).toMatch(/^- Client: `supabase-js-web\/2\.119\.1`$/m);
  });

  it('a healthy capture says so, and its timeline is the last events', async () => {
    const { session } = await live('subscribe');
    const md = bugReportMarkdown(session, OPTIONS);
    expect(md).not.toMatch(/ERROR/);
    expect(md).toMatch(/^## Timeline \(last events; no error finding\)$/m);
  });

  it('hostile claims and reasons stay inside their code spans: no HTML, no broken table, no heading', async () => {
    const evil = '`` </td><img src=x onerror=alert(1)> | # not a heading\n## injected';
    const claims = { sub: 'u1', role: 'authenticated', exp: 1, iss: 'http://127.0.0.1:1/auth/v1', aud: 'authenticated', nickname: evil };
    const jwt = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify(claims))}.${b64url('signature-bytes-of-thirty-two-b')}`;
    const t = 1_800_000_000_000;
    const stamp = (seq: number, ms: number) => ({ seq, time: t + ms, docId: 'd', source: 'page' as const });
    const events = [
      { kind: 'ws-connecting', conn: 'd:1', url: 'ws://127.0.0.1:1/realtime/v1/websocket?apikey=x&vsn=1.0.0', protocols: [], ...stamp(1, 0) },
      { kind: 'ws-open', conn: 'd:1', protocol: '', extensions: '', ...stamp(2, 1) },
      { kind: 'ws-frame', conn: 'd:1', dir: 'sent', opcode: 'text', text: JSON.stringify({ topic: 'realtime:r', event: 'phx_join', payload: { access_token: jwt }, ref: '1', join_ref: '1' }), size: 10, ...stamp(3, 2) },
      { kind: 'ws-frame', conn: 'd:1', dir: 'received', opcode: 'text', text: JSON.stringify({ topic: 'realtime:r', event: 'phx_reply', payload: { status: 'error', response: { reason: evil } }, ref: '1', join_ref: '1' }), size: 10, ...stamp(4, 3) },
      { kind: 'ws-close', conn: 'd:1', code: 1000, reason: evil, wasClean: true, ...stamp(5, 4) },
    ] as CapturedEvent[];
    const session = new Session({ tabId: 1 });
    session.applyLocal(events);
    await session.analyse(t + 10);
    const md = bugReportMarkdown(session, OPTIONS);
    expect(md).toContain('nickname');
    // Outside code spans, no raw HTML tag and no injected heading line.
    const prose = withoutCodeSpans(md);
    // (a backslash-escaped `\<` renders as the character, not as a tag)
    expect(prose).not.toMatch(/(?<!\\)<(img|\/td)/);
    expect(prose).toContain('\\<img');
    expect(md).not.toMatch(/^## injected/m);
    // Every table row keeps its column count (escaped pipes do not split cells).
    for (const row of md.split('\n').filter((l) => l.startsWith('| claims'))) expect(row.split(/(?<!\\)\|/).length).toBe(5);
    expect(md).not.toContain('signature-bytes');
  });

  it('code() fences any backtick run; plain() escapes markup', () => {
    expect(code('a ``` b')).toBe('````a ``` b````');
    expect(code('`x`')).toBe('`` `x` ``');
    expect(code('a\nb')).toBe('`a\\u000ab`');
    expect(plain('# <b>x</b> | *y*')).toBe('\\# \\<b\\>x\\</b\\> \\| \\*y\\*');
  });
});
