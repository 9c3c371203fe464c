// What the panel's Copy and Copy raw buttons put on the clipboard (issue 11 item 4), for a frame,
// a token and a finding: one builder per kind, shared by every view (and by the export work that
// copies single items). Masked is the default and goes through the session core's one masking
// (core/session/masking.ts maskTokensInText, and hexDump's byte masking for binary frames that do
// not decode) — so a copy holds exactly what the panel shows with "Show keys" off: JWT signatures
// hidden, sb_secret_ keys shortened. Raw is the captured text as it was, only when the user picks
// Copy raw. Plain text (never HTML); times as ISO-8601 UTC, because a copy is pasted elsewhere.
// Pure: no DOM, unit-tested in Node.

import { FINDING_CODES, hexDump, maskTokensInText, type DecodedFrame, type FindingEntry, type FrameEvent } from '../core/session';
import type { DecodedToken } from '../core/tokens/decode';
import { prettyPayload } from '../ui/format';

export type CopyMode = 'masked' | 'raw';

/** The masking a copy goes through: none for raw, the session core's for masked. */
function shown(text: string, mode: CopyMode, truncated = false): string {
  return mode === 'raw' ? text : maskTokensInText(text, { truncated });
}

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '?' : d.toISOString();
}

/**
 * A frame: a text frame as it crossed the socket (the wire text); a binary frame as its decoded
 * message in JSON (bytes masked in text would not hide a token written in base64); a binary frame
 * that does not decode as a hex dump (masked) or its base64 (raw). A preview says it is one.
 */
export function frameCopyText(frame: FrameEvent, decoded: DecodedFrame, mode: CopyMode): string {
  const cut = frame.truncated === true;
  let body: string;
  if (frame.opcode === 'text') {
    body = shown(frame.text ?? '', mode, cut);
  } else if (decoded.ok) {
    const m = decoded.message;
    const message: Record<string, unknown> = { join_ref: m.joinRef, ref: m.ref, topic: m.topic, event: m.event };
    if (decoded.binaryKind !== undefined) message.binary_kind = decoded.binaryKind;
    if (decoded.userEvent !== undefined) message.user_event = decoded.userEvent;
    if (decoded.metadata !== undefined) message.metadata = decoded.metadata;
    message.payload = m.payload;
    body = shown(prettyPayload(message), mode, cut);
  } else if (mode === 'raw') {
    body = frame.base64 ?? '';
  } else {
    const dump = hexDump(frame.base64 ?? '', Number.MAX_SAFE_INTEGER, true);
    body = dump.error ?? dump.lines.join('\n');
  }
  return cut ? `${body}\n(only a preview was kept: the frame was ${frame.size.toLocaleString('en')} bytes)` : body;
}

/** One line naming the token: class, label, project. */
function tokenLine(token: DecodedToken): string {
  return `${token.label} · project ${token.projectRef}`;
}

/**
 * A token. Masked: what it is, the token with its signature hidden (header and claims segments
 * stay, as the panel shows them in frames) and its decoded header and claims, ready to paste into
 * an issue. Raw: the token itself, as the server received it (after the server's own cleaning of
 * quotes and `Bearer `), e.g. for the popup's Paste a token.
 */
export function tokenCopyText(token: DecodedToken, mode: CopyMode): string {
  if (mode === 'raw') return token.cleaned;
  const lines = [tokenLine(token), shown(token.cleaned, 'masked')];
  if (token.problem) lines.push(`Problem: ${token.problem.reason}`);
  if (token.header) lines.push(`Header: ${shown(prettyPayload(token.header), 'masked')}`);
  if (token.claims) lines.push(`Claims: ${shown(prettyPayload(token.claims), 'masked')}`);
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
 * the server's words, and the evidence it names — the frame's text and the token, masked unless
 * `raw` (the finding's own words name tokens by label only, but quote what servers and pages sent).
 */
export function findingCopyText(entry: FindingEntry, mode: CopyMode, evidence: FindingEvidenceForCopy = {}): string {
  const f = entry.finding;
  const e = f.evidence;
  const lines = [`${f.severity} ${f.code}: ${FINDING_CODES[f.code].title}`, f.message];
  const where = [
    f.time !== null ? `at ${iso(f.time)}` : undefined,
    e.topic !== undefined ? `channel ${e.topic}` : undefined,
    e.conn !== undefined ? `socket ${e.conn}` : undefined,
  ].filter((s): s is string => s !== undefined);
  if (where.length > 0) lines.push(where.join(' · '));
  if (entry.state === 'resolved') lines.push(`Resolved at ${iso(entry.resolvedAt ?? 0)}: ${entry.resolvedWhy ?? ''}`);
  if (f.cause) lines.push(`Cause: ${f.cause}`);
  if (f.fix) lines.push(`Fix: ${f.fix}`);
  if (e.serverText) lines.push(`Server said: ${e.serverText}`);
  if (e.claim !== undefined) lines.push(`Claim ${e.claim}: expected ${prettyPayload(e.expected)}, actual ${prettyPayload(e.actual)}`);
  const text = shown(lines.join('\n'), mode);
  const parts = [text];
  if (e.frameSeq !== undefined) {
    const frame = evidence.frame;
    parts.push(
      frame
        ? `Evidence, frame #${e.frameSeq} (${frame.event.dir}, ${iso(frame.event.time)}):\n${frameCopyText(frame.event, frame.decoded, mode)}`
        : `Evidence, frame #${e.frameSeq}: no longer held by the panel.`,
    );
  }
  if (e.token !== undefined) {
    parts.push(evidence.token ? `Evidence, token:\n${tokenCopyText(evidence.token, mode)}` : `Evidence, token: ${e.token} (not visible to the browser, or no longer held).`);
  }
  return parts.join('\n\n');
}
