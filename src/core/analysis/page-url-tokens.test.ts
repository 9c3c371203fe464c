// Issue 10 item 4: tokens in a document's own URL (the implicit flow's `#access_token=…`, a key
// in `?apikey=`) are token uses like any other — one per document, dated at its start — and a
// token whose signature was scrubbed at capture is judged on its header and claims only.

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { hostileString, longHostileString, tokenOfJson } from '../hostile-values';
import { PROTOCOL_VERSION } from '../../messages';
import type { CapturedEvent } from '../model';
import { Session } from '../session/session';
import { EMPTY_STATS, TestDoc, URL_V2 } from '../session/test-doc';
import type { EngineResult } from '../session/engine';
import { judgeToken } from '../diagnosis/judge';
import { decodeToken, urlToken } from '../tokens/decode';
import { legacyKeyClaims, makeTestKeys, mint, REF, userClaims, type TestKeys } from '../tokens/testing';
import { MAX_URL_TOKENS, scrubUrl, tokensInUrl } from '../url-secrets';
import { analyzeSession } from './analyze';
import { exportSession } from '../export/session-file';
import { importFile, openImported } from '../export/import';
import { EvidenceIndex } from './evidence-index';

const START = 1_700_000_000_000;
const NOW_S = START / 1000;
let keys: TestKeys;
beforeAll(async () => {
  keys = await makeTestKeys();
});

/** The URL a page has after an implicit-flow sign-in, as the content script keeps it (scrubbed). */
function signInUrl(accessToken: string, extra = ''): string {
  return scrubUrl(`https://app.example/welcome#access_token=${accessToken}&expires_in=3600&refresh_token=r1-REFRESH&token_type=bearer${extra}`);
}

function snapshot(docId: string, url: string, events: CapturedEvent[], startedAt = START) {
  return { type: 'snapshot', snapshot: { doc: { docId, url, isTop: true, startedAt }, events, stats: EMPTY_STATS } };
}

/** A document's socket and a flood of heartbeats and HTTP calls (none carrying the URL's token). */
function busyDocument(d: TestDoc, n: number): CapturedEvent[] {
  const out: CapturedEvent[] = [d.ev({ kind: 'ws-connecting', conn: `${d.docId}:1`, url: URL_V2, protocols: [] })];
  for (let i = 0; i < n; i++) {
    out.push(d.text('sent', [null, String(i), 'phoenix', 'heartbeat', {}]));
    if (i % 10 === 0) out.push(d.ev({ kind: 'http-request', api: 'fetch', req: `${d.docId}-r${i}`, method: 'GET', url: `https://${REF}.supabase.co/rest/v1/todos`, headers: { apikey: 'sb_publishable_0123456789abcdef' } }));
  }
  return out;
}

async function analysed(session: Session, at: number): Promise<EngineResult> {
  await session.analyse(at);
  const a = session.snapshot().analysis;
  if (a.kind !== 'done') throw new Error(`analysis ${a.kind}`);
  return a.result;
}

const pageUrlUses = (r: EngineResult) => r.analysis.tokens.flatMap((t) => t.uses.filter((u) => u.kind === 'page-url').map((u) => ({ label: t.token.label, ...u })));

describe("tokens in the page's URL", () => {
  it('finds the access token of an implicit-flow fragment (signature scrubbed) and a key kept whole, and nothing else', async () => {
    const access = await mint(keys, { claims: userClaims(NOW_S) });
    const anon = await mint(keys, { claims: legacyKeyClaims('anon', NOW_S) });
    const url = signInUrl(access, `&apikey=${anon}`);
    const found = tokensInUrl(url);
    expect(found.map((f) => f.where)).toEqual(['#access_token', '#apikey']);
    expect(found[0].value).toBe(`${access.split('.').slice(0, 2).join('.')}.[redacted]`);
    expect(found[1].value).toBe(anon);
    expect(url).not.toContain('r1-REFRESH');
    expect(tokensInUrl('https://app.example/#/rooms/1?sort=eyJ-not-a-token')).toEqual([]);
    // A hostile URL: at most a few tokens, read in one pass.
    expect(tokensInUrl(`https://x/?${`a=${found[0].value}&`.repeat(5_000)}`)).toHaveLength(8);
  });

  it("an sb_secret_ key in the page's ?apikey= is a use too: secret-key-in-browser", async () => {
    const index = new EvidenceIndex();
    index.addDocument({ docId: 'A', url: scrubUrl('https://app.example/debug?apikey=sb_secret_abcdefghijklmnopqrstuv&x=1'), startedAt: START });
    const analysis = await analyzeSession(index, { connections: [], channels: [] }, { now: START });
    expect(analysis.tokens.map((t) => [t.token.tokenClass, t.uses.map((u) => `${u.kind} ${u.param}`).join()])).toEqual([['secret-key', 'page-url ?apikey']]);
    expect(analysis.findings.find((f) => f.code === 'secret-key-in-browser')?.evidence.uses?.[0].kind).toBe('page-url');
  });

  it("an HTTP call's ?apikey= parameter is a use of its key (the gateway reads it like the header), once when both say the same", async () => {
    const serviceRole = await mint(keys, { claims: legacyKeyClaims('service_role', NOW_S) });
    const anon = await mint(keys, { claims: legacyKeyClaims('anon', NOW_S) });
    const d = new TestDoc('A');
    const index = EvidenceIndex.of([
      d.ev({ kind: 'http-request', api: 'fetch', req: 'r1', method: 'GET', url: scrubUrl(`https://${REF}.supabase.co/rest/v1/todos?apikey=${serviceRole}&select=*`), headers: {} }),
      d.ev({ kind: 'http-request', api: 'fetch', req: 'r2', method: 'POST', url: scrubUrl(`https://${REF}.supabase.co/realtime/v1/api/broadcast?apikey=${anon}&vsn=2.0.0`), headers: { apikey: anon } }),
    ]);
    const analysis = await analyzeSession(index, { connections: [], channels: [] }, { now: d.time });
    const usesOf = (raw: string) => analysis.tokens.find((t) => t.token.cleaned === raw)?.uses.map((u) => u.kind);
    expect(usesOf(serviceRole)).toEqual(['http-apikey-param']);
    expect(usesOf(anon)).toEqual(['http-apikey']);
    const exposed = analysis.findings.find((f) => f.code === 'service-role-in-browser');
    expect(exposed?.evidence.uses).toEqual([expect.objectContaining({ kind: 'http-apikey-param', requestId: 'r1', path: '/rest/v1/todos' })]);
  });

  it('is one use per document, at its start, however many events the document sends', async () => {
    const access = await mint(keys, { claims: userClaims(NOW_S) });
    const session = new Session({ tabId: 1 });
    session.apply({ type: 'status', v: PROTOCOL_VERSION, tabId: 1, status: 'capturing' });
    const a = new TestDoc('A');
    session.apply(snapshot('A', signInUrl(access), busyDocument(a, 3_000)));
    for (let batch = 0; batch < 5; batch++) session.apply({ type: 'events', docId: 'A', events: busyDocument(a, 500).slice(1), stats: EMPTY_STATS });
    // The store says its document again (a service-worker restart re-subscribes): still one use.
    session.apply(snapshot('A', signInUrl(access), []));
    const first = await analysed(session, a.time);
    expect(pageUrlUses(first)).toEqual([expect.objectContaining({ kind: 'page-url', time: START, doc: 'A', param: '#access_token' })]);
    const card = first.tokens.find((t) => t.uses.some((u) => u.kind === 'page-url'))!;
    expect(card.tokenClass).toBe('user-access-token');
    expect(card.uses).toEqual([expect.objectContaining({ where: "the page's URL", count: 1, places: ['#access_token'] })]);

    // The page reloads on the same sign-in URL: one more use, for the new document.
    const b = new TestDoc('B');
    b.time = a.time + 1_000;
    session.apply(snapshot('B', signInUrl(access), busyDocument(b, 100), b.time));
    expect(pageUrlUses(await analysed(session, b.time)).map((u) => u.doc)).toEqual(['A', 'B']);

    // Clear forgets the documents' URL tokens with their events; a document after it counts again.
    session.clear();
    expect(pageUrlUses(await analysed(session, b.time))).toEqual([]);
    session.apply(snapshot('C', signInUrl(access), [], b.time + 5_000));
    expect(pageUrlUses(await analysed(session, b.time + 5_000)).map((u) => u.doc)).toEqual(['C']);
  });

  it('survives a redacted session export: the imported file has the same page-url use and finding', async () => {
    const expired = await mint(keys, { claims: userClaims(NOW_S - 7_200) });
    const doc = { docId: 'A', url: signInUrl(expired), isTop: true, startedAt: START };
    const live = new Session({ tabId: 1 });
    live.apply({ type: 'status', v: PROTOCOL_VERSION, tabId: 1, status: 'capturing', url: doc.url, documents: [doc] });
    const d = new TestDoc('A');
    live.apply({ type: 'snapshot', snapshot: { doc, events: busyDocument(d, 10), stats: EMPTY_STATS } });
    await live.analyse(d.time);
    const file = JSON.stringify(exportSession(live.snapshot(), { extensionVersion: 't' }));
    expect(file).not.toContain('r1-REFRESH');
    const imported = importFile(file);
    if ('error' in imported) throw new Error(imported.error);
    const session = await openImported(imported);
    const a = session.snapshot().analysis;
    if (a.kind !== 'done') throw new Error(a.kind);
    expect(pageUrlUses(a.result).map((u) => [u.doc, u.param, u.time])).toEqual([['A', '#access_token', START]]);
    expect(a.result.analysis.findings.find((f) => f.code === 'token-expired')?.evidence.uses?.[0].kind).toBe('page-url');
  });

  it('joins the card of the whole token once the page sends it (one token, two kinds of use)', async () => {
    const access = await mint(keys, { claims: userClaims(NOW_S) });
    const d = new TestDoc('A');
    const index = new EvidenceIndex();
    index.addDocument({ docId: 'A', url: signInUrl(access), startedAt: START });
    index.add(d.ev({ kind: 'http-request', api: 'fetch', req: 'r1', method: 'GET', url: `https://${REF}.supabase.co/rest/v1/todos`, headers: { authorization: `Bearer ${access}` } }));
    const analysis = await analyzeSession(index, { connections: [], channels: [] }, { now: d.time });
    expect(analysis.tokens).toHaveLength(1);
    expect(analysis.tokens[0].token.cleaned).toBe(access);
    expect(analysis.tokens[0].uses.map((u) => u.kind).sort()).toEqual(['http-authorization', 'page-url']);
    expect(analysis.tokens[0].firstSeen).toBe(START);
  });
});

describe('a token whose signature was not kept (taken from a URL)', () => {
  it('an expired access token: "expired before this use" at the page load, and no signature verdict even with the secret supplied', async () => {
    const expired = await mint(keys, { claims: userClaims(NOW_S - 7_200) }); // exp an hour before the page loaded
    const index = new EvidenceIndex();
    index.addDocument({ docId: 'A', url: signInUrl(expired), startedAt: START });
    const analysis = await analyzeSession(index, { connections: [], channels: [] }, { now: START + 60_000, project: { secret: new TextEncoder().encode('another project secret, 32 chars at least') } });
    const [seen] = analysis.tokens;
    expect(seen.token.signatureNotKept).toBe('url');
    expect(seen.token.label).toMatch(/^user access token #[0-9a-z]{6} \(signature not kept\)$/);
    const codes = analysis.findings.map((f) => f.code);
    expect(codes).toContain('token-expired');
    const expiredFinding = analysis.findings.find((f) => f.code === 'token-expired')!;
    expect(expiredFinding.message).toMatch(/^Expired 3600 s before this use/);
    expect(expiredFinding.evidence.uses).toEqual([expect.objectContaining({ kind: 'page-url', first: START })]);
    for (const never of ['signature-invalid', 'token-malformed', 'kid-unknown', 'analysis-limited']) expect(codes).not.toContain(never);
  });

  it('two sign-ins of the same shape are two tokens, each with its own label and findings', async () => {
    const first = await mint(keys, { claims: userClaims(NOW_S - 7_200) });
    const second = await mint(keys, { claims: userClaims(NOW_S) });
    const index = new EvidenceIndex();
    index.addDocument({ docId: 'A', url: signInUrl(first), startedAt: START });
    index.addDocument({ docId: 'B', url: signInUrl(second), startedAt: START + 1_000 });
    const analysis = await analyzeSession(index, { connections: [], channels: [] }, { now: START + 1_000 });
    const labels = analysis.tokens.map((t) => t.token.label);
    expect(new Set(labels).size).toBe(2);
    expect(analysis.findings.filter((f) => f.code === 'token-expired').map((f) => f.evidence.token)).toEqual([labels[0]]);
  });

  it('judges claims in the server order and says the signature was not kept, never "invalid" or "unknown kid"', async () => {
    // An ES256 token whose kid no supplied JWKS has: whole, the server would refuse the kid.
    const es = await mint(keys, { alg: 'ES256', header: { kid: 'revoked-kid' }, claims: userClaims(NOW_S) });
    const fromUrl = urlToken(tokensInUrl(signInUrl(es))[0].value);
    const whole = await judgeToken(decodeToken(es), { jwks: keys.jwks }, { at: START });
    expect(whole.failure).toEqual(expect.objectContaining({ kind: 'signer-kid', kid: 'revoked-kid' }));
    const judged = await judgeToken(fromUrl, { jwks: keys.jwks, secret: keys.secret }, { at: START });
    expect(judged.failure).toBeNull();
    expect(judged.signature).toEqual({ status: 'unverified', detail: expect.stringContaining('signature not kept') });
    expect(judged.conditional).toBe(true);
    expect(judged.conditions.join(' ')).toContain('taken from a URL');
    // Its claims still decide: expired at the time of use.
    expect((await judgeToken(fromUrl, {}, { at: START + 2 * 3_600_000 })).failure).toEqual({ kind: 'expired', secondsAgo: 3_600 });
    // The header's own faults stay faults: an asymmetric token without a kid.
    const noKid = urlToken(tokensInUrl(signInUrl(await mint(keys, { alg: 'RS256', header: { kid: undefined }, claims: userClaims(NOW_S) })))[0].value);
    expect((await judgeToken(noKid, {}, { at: START })).signer).toEqual(expect.objectContaining({ kind: 'error', code: 'kid-missing' }));
  });

  it('a service_role key in the page URL: service-role-in-browser, and its card predicts no verdict', async () => {
    const serviceRole = await mint(keys, { claims: legacyKeyClaims('service_role', NOW_S) });
    const session = new Session({ tabId: 1 });
    session.apply(snapshot('A', scrubUrl(`https://app.example/admin?key=${serviceRole}`), []));
    const result = await analysed(session, START + 1_000);
    const exposed = result.analysis.findings.find((f) => f.code === 'service-role-in-browser');
    expect(exposed?.severity).toBe('error');
    expect(exposed?.evidence.uses?.[0].kind).toBe('page-url');
    const [card] = result.tokens;
    expect(card.tokenClass).toBe('legacy-service-role-key');
    expect(card.masked).toContain('(signature not kept: taken from a URL)');
    expect(card.masked).not.toContain(serviceRole.split('.')[2]);
    expect(card.verdicts).toBeNull();
    expect(card.noVerdicts).toMatch(/^Seen only in the page's URL/);
    expect(card.uses).toEqual([expect.objectContaining({ kind: 'page-url', places: ['?key'] })]);
  });

  it('a captured value that merely reads "header.claims.[redacted]" (a crafted join token) is still malformed', async () => {
    const access = await mint(keys, { claims: userClaims(NOW_S) });
    const crafted = `${access.split('.').slice(0, 2).join('.')}.[redacted]`;
    expect(decodeToken(crafted).signatureNotKept).toBeUndefined();
    expect(decodeToken(crafted).problem?.segment).toBe('signature');
    // …and it is not merged with the URL's token of the same text.
    const index = new EvidenceIndex();
    index.addDocument({ docId: 'A', url: signInUrl(access), startedAt: START });
    index.add(new TestDoc('A').ev({ kind: 'http-request', api: 'fetch', req: 'r1', method: 'GET', url: `https://${REF}.supabase.co/rest/v1/t`, headers: { authorization: `Bearer ${crafted}` } }));
    const analysis = await analyzeSession(index, { connections: [], channels: [] }, { now: START + 1_000 });
    expect(analysis.tokens.map((t) => [t.token.signatureNotKept ?? 'captured', t.uses.map((u) => u.kind).join()])).toEqual([
      ['url', 'page-url'],
      ['captured', 'http-authorization'],
    ]);
    expect(analysis.findings.filter((f) => f.code === 'token-malformed').map((f) => f.evidence.uses?.[0].kind)).toEqual(['http-authorization']);
  });
});

describe('hostile page URLs', () => {
  it('any URL a page navigates to: reading its tokens never throws, stays bounded, and the analysis completes (property)', async () => {
    const urlPiece = fc.oneof(
      hostileString,
      fc.constantFrom('?', '#', '&', '=', '/', '%', '%E0%A4%A', 'access_token=', 'apikey=', '[redacted]', 'sb_secret_x', tokenOfJson('{"alg":"HS256"}', '{"role":"service_role","exp":1}'), tokenOfJson('{"alg":"none"}', '[1]')),
    );
    const url = fc.oneof(fc.array(urlPiece, { maxLength: 40 }).map((p) => `https://app.example/${p.join('')}`), longHostileString.map((t) => `https://app.example/#access_token=${t}`));
    await fc.assert(
      fc.asyncProperty(url, async (raw) => {
        const scrubbed = scrubUrl(raw);
        expect(tokensInUrl(scrubbed).length).toBeLessThanOrEqual(MAX_URL_TOKENS);
        const index = new EvidenceIndex();
        index.addDocument({ docId: 'A', url: scrubbed, startedAt: START });
        const analysis = await analyzeSession(index, { connections: [], channels: [] }, { now: START });
        for (const t of analysis.tokens) expect(t.uses.every((u) => u.kind === 'page-url')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
