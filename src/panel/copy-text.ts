// What the panel's Copy and Copy raw buttons put on the clipboard (issue 11 item 4), for a frame,
// a token and a finding: one builder per kind, shared by every view. Copy (masked, the default)
// goes through the export's redaction (core/export/redact.ts `Redactor`, default options), the
// one redaction ARCHITECTURE.md's security stance names for exports and copy buttons alike: JWT
// signatures replaced by same-length placeholders, `sb_secret_` keys and the values of secret key
// names (refresh_token, password, code_verifier, cookies…) removed, e-mails and other personal data
// pseudonymised. A masked copy of a frame is the text Export writes for it. Raw is the captured
// text as it was, only when the user picks Copy raw. Plain text (never HTML); times as ISO-8601
// UTC, because a copy is pasted elsewhere. Pure: no DOM, unit-tested in Node.

import { Redactor } from '../core/export/redact';
import { FINDING_CODES, hexDump, type DecodedFrame, type FindingEntry, type FrameEvent } from '../core/session';
import type { DecodedToken } from '../core/tokens/decode';
import { prettyPayload } from '../ui/format';

export type CopyMode = 'masked' | 'raw';

let panelRedactor: Redactor | undefined;

/**
 * The Redactor of this panel's copies: one for the panel's lifetime (its key random, in memory
 * only, never written), so the copies a user pastes side by side into one issue name the same
 * e-mail by the same pseudonym and the same token by the same signature placeholder — a reader can
 * tell "the same user / token" from "another one", as within one export file. Export keeps its own
 * Redactor per file: a copy's pseudonyms are not an export's.
 */
export function copyRedactor(): Redactor {
  panelRedactor ??= new Redactor();
  return panelRedactor;
}

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '?' : d.toISOString();
}

/**
 * A frame. Masked: a text frame as Export writes it (the Redactor on its wire text); a binary
 * frame that decodes as its decoded message in JSON, redacted as JSON (bytes redacted as text would
 * not reach a token written in base64 or a value under user_metadata); one that does not decode as
 * a hex dump of the bytes Export writes (the Redactor's same-length binary rewrite). Raw: the wire
 * text, the decoded message unredacted, or the frame's base64. A preview says it is one.
 */
export function frameCopyText(frame: FrameEvent, decoded: DecodedFrame, mode: CopyMode, redactor: Redactor = copyRedactor()): string {
  const cut = frame.truncated === true;
  const raw = mode === 'raw';
  let body: string;
  if (frame.opcode === 'text') {
    body = raw ? (frame.text ?? '') : redactor.string(frame.text ?? '');
  } else if (decoded.ok) {
    const m = decoded.message;
    const message: Record<string, unknown> = { join_ref: m.joinRef, ref: m.ref, topic: m.topic, event: m.event };
    if (decoded.binaryKind !== undefined) message.binary_kind = decoded.binaryKind;
    if (decoded.userEvent !== undefined) message.user_event = decoded.userEvent;
    if (decoded.metadata !== undefined) message.metadata = decoded.metadata;
    message.payload = m.payload;
    body = prettyPayload(raw ? message : redactor.json(message));
  } else if (raw) {
    body = frame.base64 ?? '';
  } else {
    // mask=false: the bytes are already redacted; the on-screen masking is not a second pass.
    const dump = hexDump(redactor.binary(frame.base64 ?? ''), Number.MAX_SAFE_INTEGER, false);
    body = dump.error ?? dump.lines.join('\n');
  }
  return cut ? `${body}\n(only a preview was kept: the frame was ${frame.size.toLocaleString('en')} bytes)` : body;
}

/** One line naming the token: class, label, project. */
function tokenLine(token: DecodedToken): string {
  return `${token.label} · project ${token.projectRef}`;
}

/**
 * A token. Masked: what it is, the token as Export would write it (a JWT keeps its header and
 * claims segments, personal claims pseudonymised, and gets a placeholder signature of the same
 * length; an `sb_secret_` key keeps its prefix only), and its decoded header and claims as the
 * session file writes them, ready to paste into an issue. Raw: the token itself, as the server
 * received it (after the server's own cleaning of quotes and `Bearer `), e.g. for the popup's
 * Paste a token.
 */
export function tokenCopyText(token: DecodedToken, mode: CopyMode, redactor: Redactor = copyRedactor()): string {
  if (mode === 'raw') return token.cleaned;
  const lines = [tokenLine(token), redactor.string(token.cleaned)];
  if (token.problem) lines.push(`Problem: ${redactor.string(token.problem.reason)}`);
  if (token.header) lines.push(`Header: ${prettyPayload(redactor.json(token.header))}`);
  if (token.claims) lines.push(`Claims: ${prettyPayload(redactor.json(token.claims))}`);
  return lines.join('\n');
}

export interface FindingEvidenceForCopy {
  /** The token the finding names, when the session still knows it. */
  token?: DecodedToken;
  /** The frame the finding names, when the panel still holds it. */
  frame?: { event: FrameEvent; decoded: DecodedFrame };
}

/**
 * A finding as plain text: severity, code and title, what happened, when and where, cause, fix,
 * the server's words, and the evidence it names — the frame's text and the token. Masked: each of
 * the finding's texts through the Redactor as the session file writes them (the finding's own words
 * name tokens by label only, but quote what servers and pages sent), the evidence as its own Copy
 * gives it; raw: as captured.
 */
export function findingCopyText(entry: FindingEntry, mode: CopyMode, evidence: FindingEvidenceForCopy = {}, redactor: Redactor = copyRedactor()): string {
  const f = entry.finding;
  const raw = mode === 'raw';
  const said = (text: string) => (raw ? text : redactor.string(text));
  // Like the session file: the evidence (topic, socket, server words, claim values) redacted as JSON.
  const e = raw ? f.evidence : (redactor.json(JSON.parse(JSON.stringify(f.evidence))) as typeof f.evidence);
  const lines = [`${f.severity} ${f.code}: ${FINDING_CODES[f.code].title}`, said(f.message)];
  const where = [
    f.time !== null ? `at ${iso(f.time)}` : undefined,
    e.topic !== undefined ? `channel ${e.topic}` : undefined,
    e.conn !== undefined ? `socket ${e.conn}` : undefined,
  ].filter((s): s is string => s !== undefined);
  if (where.length > 0) lines.push(where.join(' · '));
  if (entry.state === 'resolved') lines.push(`Resolved at ${iso(entry.resolvedAt ?? 0)}: ${said(entry.resolvedWhy ?? '')}`);
  if (f.cause) lines.push(`Cause: ${said(f.cause)}`);
  if (f.fix) lines.push(`Fix: ${said(f.fix)}`);
  if (e.serverText) lines.push(`Server said: ${e.serverText}`);
  if (e.claim !== undefined) lines.push(`Claim ${e.claim}: expected ${prettyPayload(e.expected)}, actual ${prettyPayload(e.actual)}`);
  const parts = [lines.join('\n')];
  const seq = f.evidence.frameSeq;
  if (seq !== undefined) {
    const frame = evidence.frame;
    parts.push(
      frame
        ? `Evidence, frame #${seq} (${frame.event.dir}, ${iso(frame.event.time)}):\n${frameCopyText(frame.event, frame.decoded, mode, redactor)}`
        : `Evidence, frame #${seq}: no longer held by the panel.`,
    );
  }
  if (f.evidence.token !== undefined) {
    parts.push(evidence.token ? `Evidence, token:\n${tokenCopyText(evidence.token, mode, redactor)}` : `Evidence, token: ${e.token} (not visible to the browser, or no longer held).`);
  }
  return parts.join('\n\n');
}
