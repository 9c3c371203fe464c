// From a finding to the captured thing that proves it (issue 11 item 1): the frame (evidence
// frameSeq, on its socket), the HTTP call (requestId) or the token (its label). The links are
// listed from the finding alone; the frame or call is looked up only when the user clicks, so a
// list of findings over 200,000 held events costs nothing per render. Pure: unit-tested in Node.

import { httpList, isFrameEvent, isSeparator, type FindingEntry, type RowsView } from '../core/session';
import type { EvidenceTarget } from './ui-state';

type Finding = FindingEntry['finding'];

export interface EvidenceLink {
  kind: EvidenceTarget['kind'];
  /** What the button says, e.g. "frame #12", "request r3", "token user access token #1". */
  text: string;
}

/**
 * The evidence a finding points at, in the order a person checks it: frame, request, token.
 * `tokens`: the labels the Tokens view lists; a label outside it (the gateway's JWT, which the
 * browser never sees) gets no link that would lead nowhere.
 */
export function evidenceLinks(f: Finding, tokens?: ReadonlySet<string>): EvidenceLink[] {
  const e = f.evidence;
  const out: EvidenceLink[] = [];
  if (e.frameSeq !== undefined) out.push({ kind: 'frame', text: `frame #${e.frameSeq}` });
  if (e.requestId !== undefined) out.push({ kind: 'request', text: 'HTTP request' });
  if (e.token !== undefined && (tokens === undefined || tokens.has(e.token))) out.push({ kind: 'token', text: `token: ${e.token}` });
  return out;
}

/**
 * The target of one link in what the panel holds now, or a sentence saying why it is gone (the
 * panel's bounded log evicted it, or Clear removed it) — never a silent no-op.
 */
export function resolveEvidence(f: Finding, kind: EvidenceTarget['kind'], rows: RowsView): { target: EvidenceTarget } | { missing: string } {
  const e = f.evidence;
  if (kind === 'token') return e.token !== undefined ? { target: { kind: 'token', label: e.token } } : { missing: 'This finding names no token.' };
  if (kind === 'frame') {
    if (e.frameSeq === undefined) return { missing: 'This finding names no frame.' };
    // Newest first: a finding is usually about recent traffic.
    for (let i = rows.length - 1; i >= 0; i--) {
      const row = rows.at(i);
      if (!row || isSeparator(row) || !isFrameEvent(row)) continue;
      if (row.seq === e.frameSeq && (e.conn === undefined || row.conn === e.conn)) return { target: { kind: 'frame', frame: row } };
    }
    return { missing: `Frame #${e.frameSeq} is no longer held by the panel (cleared, or dropped from its bounded log).` };
  }
  if (e.requestId === undefined) return { missing: 'This finding names no HTTP request.' };
  // Request ids are per document: of the calls with this id, the latest one made by the finding's time.
  const calls: { key: string; time: number }[] = [];
  for (const item of httpList(rows)) {
    if (item.kind === 'call' && item.call.key.slice(item.call.key.indexOf('\u0000') + 1) === e.requestId) calls.push({ key: item.call.key, time: item.call.time });
  }
  const before = f.time === null ? calls : calls.filter((c) => c.time <= (f.time as number));
  const best = (before.length > 0 ? before : calls).at(-1);
  return best ? { target: { kind: 'request', key: best.key } } : { missing: 'This HTTP request is no longer held by the panel (cleared, or dropped from its bounded log).' };
}
