import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../core/model';
import type { FindingEntry, RowsView, SessionRow } from '../core/session';
import { evidenceLinks, resolveEvidence } from './evidence';

type Finding = FindingEntry['finding'];

function rowsOf(rows: SessionRow[]): RowsView {
  return { length: rows.length, at: (i) => rows[i], [Symbol.iterator]: () => rows[Symbol.iterator]() };
}
const ev = (e: Record<string, unknown>) => e as unknown as CapturedEvent;
const frame = (docId: string, seq: number, conn: string) => ev({ kind: 'ws-frame', docId, seq, time: 1000 + seq, source: 'page', conn, dir: 'received', opcode: 'text', text: '[]', size: 2 });
const request = (docId: string, seq: number, req: string, time: number) => ev({ kind: 'http-request', docId, seq, time, source: 'page', req, method: 'GET', url: 'http://x/rest/v1/t', headers: {}, api: 'fetch' });
const finding = (evidence: Finding['evidence'], time: number | null = 5000): Finding => ({ code: 'token-expired', severity: 'error', message: 'm', cause: 'c', fix: 'f', evidence, time });

describe('a finding\'s evidence', () => {
  it('lists frame, request and token links from the finding alone', () => {
    expect(evidenceLinks(finding({ frameSeq: 12, requestId: 'r1', token: 'user access token #1' })).map((l) => l.kind)).toEqual(['frame', 'request', 'token']);
    expect(evidenceLinks(finding({ conn: 'd:1' }))).toEqual([]);
    // A label the Tokens view does not list (the gateway's JWT) gets no link that leads nowhere.
    expect(evidenceLinks(finding({ frameSeq: 3, token: 'gateway-minted JWT (not visible)' }), new Set(['user access token #1'])).map((l) => l.kind)).toEqual(['frame']);
  });

  it('finds the frame by seq on its own socket (another document may reuse the seq)', () => {
    const mine = frame('d2', 7, 'd2:1');
    const rows = rowsOf([frame('d1', 7, 'd1:1'), mine, frame('d2', 8, 'd2:1')]);
    expect(resolveEvidence(finding({ frameSeq: 7, conn: 'd2:1' }), 'frame', rows)).toEqual({ target: { kind: 'frame', frame: mine } });
  });

  it('says so when the frame is no longer held, instead of doing nothing', () => {
    const r = resolveEvidence(finding({ frameSeq: 99, conn: 'd1:1' }), 'frame', rowsOf([frame('d1', 7, 'd1:1')]));
    expect(r).toEqual({ missing: expect.stringMatching(/Frame #99 is no longer held/) });
  });

  it('picks the call with that request id made by the finding\'s time (ids are per document)', () => {
    const rows = rowsOf([request('d1', 1, 'r1', 1000), request('d2', 1, 'r1', 4000), request('d3', 1, 'r1', 9000)]);
    expect(resolveEvidence(finding({ requestId: 'r1' }, 5000), 'request', rows)).toEqual({ target: { kind: 'request', key: 'd2\u0000r1' } });
    expect(resolveEvidence(finding({ requestId: 'r1' }, 500), 'request', rows)).toEqual({ target: { kind: 'request', key: 'd3\u0000r1' } });
    expect(resolveEvidence(finding({ requestId: 'r2' }), 'request', rows)).toHaveProperty('missing');
  });

  it('opens a token by its label', () => {
    expect(resolveEvidence(finding({ token: 'service role key #1' }), 'token', rowsOf([]))).toEqual({ target: { kind: 'token', label: 'service role key #1' } });
  });
});
