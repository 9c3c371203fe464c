// The bug report summary (issue 13 item 3): Markdown to paste into an issue — the findings with
// cause, fix and evidence, the decoded claims of the tokens involved, a short timeline around the
// first failure, and the environment. Redacted by the same `Redactor` as the files (no signature,
// no secret key, personal data pseudonymised), because a bug report is pasted where anyone reads it.
//
// Captured text is hostile (claims, close reasons, frame payloads are whatever the page or server
// sent): every captured value goes into a code span (`code()`), whose fence is longer than any
// backtick run in it, so it cannot close the span, start a heading, inject HTML (Markdown renderers
// pass raw HTML through, but not inside code spans) or break a table row (`|` escaped in cells).
// Pure: used by the panel's "Copy report" and `claimscope analyze --format markdown`.

import type { CapturedEvent } from '../model';
import { isFrameEvent, isSeparator, maskTokensInText, type Session } from '../session';
import type { FindingEntry } from '../session/finding-history';
import { SEVERITY_RANK } from '../rules/catalogue';
import { Redactor, type RedactionOptions } from './redact';

export interface BugReportOptions extends RedactionOptions {
  extensionVersion: string;
  browser?: string | null;
  userAgent?: string | null;
  /** Where the session came from when it is not a live capture ("imported from x.har (Chrome DevTools HAR)"). */
  source?: string;
  /** Timeline rows around the first failure (default 20). */
  timelineRows?: number;
}

const TIMELINE_BEFORE_MS = 15_000;
const TIMELINE_AFTER_MS = 5_000;
const TOKENS_MAX = 6;

/** The Markdown report of a session as analysed last (call `session.analyse(at)` first). */
export function bugReportMarkdown(session: Session, options: BugReportOptions): string {
  const redactor = new Redactor(options);
  const snapshot = session.snapshot();
  const analysis = snapshot.analysis.kind === 'done' ? snapshot.analysis.result.analysis : null;
  const held = [...snapshot.rows].filter((r): r is CapturedEvent => !isSeparator(r));
  const entries = [...snapshot.findings].sort((a, b) => (a.state === b.state ? 0 : a.state === 'active' ? -1 : 1) || SEVERITY_RANK[a.finding.severity] - SEVERITY_RANK[b.finding.severity]);
  const active = entries.filter((e) => e.state === 'active');
  const count = (s: string) => active.filter((e) => e.finding.severity === s).length;
  const lines: string[] = [];

  lines.push('# Claimscope report: Supabase Realtime auth');
  lines.push('');
  const times = held.map((e) => e.time);
  const start = times.length ? Math.min(...times) : null;
  const end = times.length ? Math.max(...times) : null;
  lines.push(
    `${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} info · ${snapshot.connections.length} socket(s), ${snapshot.channels.length} channel(s), ${held.length} captured event(s)` +
      (analysis ? ` · analysed at ${clock(analysis.now)}` : ' · not analysed'),
  );
  lines.push('');

  // ---- findings
  lines.push('## Findings');
  lines.push('');
  if (entries.length === 0) lines.push('None: Claimscope found no problem in this capture.');
  entries.forEach((entry, i) => lines.push(...findingSection(entry, i + 1, redactor, held)));
  lines.push('');

  // ---- tokens
  const tokens = analysis?.tokens ?? [];
  const named = new Set(entries.map((e) => e.finding.evidence.token).filter((t): t is string => t !== undefined));
  const involved = (named.size > 0 ? tokens.filter((t) => named.has(t.token.label)) : tokens).slice(0, TOKENS_MAX);
  lines.push('## Tokens involved');
  lines.push('');
  if (involved.length === 0) lines.push('No token was seen in this capture.');
  for (const seen of involved) {
    const t = seen.token;
    lines.push(`### ${code(redactor.string(t.label))} (${code(t.tokenClass)})`);
    lines.push('');
    lines.push(`Project ${code(t.projectRef)} · first used ${clock(seen.firstSeen)} · last ${clock(seen.lastSeen)} · ${seen.uses.length} use(s) · signature ${t.form === 'jwt' ? 'removed' : 'none (not a JWT)'}`);
    lines.push('');
    const header = t.header ? (redactor.json(t.header) as Record<string, unknown>) : null;
    const claims = t.claims ? (redactor.json(t.claims) as Record<string, unknown>) : null;
    if (header || claims) {
      lines.push('| | claim | value |');
      lines.push('|---|---|---|');
      for (const [k, v] of Object.entries(header ?? {})) lines.push(`| header | ${cell(k)} | ${cell(valueText(v))} |`);
      for (const [k, v] of Object.entries(claims ?? {})) lines.push(`| claims | ${cell(k)} | ${cell(valueText(v))}${timeClaim(k, v)} |`);
      lines.push('');
    }
  }

  // ---- timeline
  lines.push(...timeline(session, held, entries, redactor, options.timelineRows ?? 20));

  // ---- environment
  lines.push('## Environment');
  lines.push('');
  const tabUrl = snapshot.capture.tabUrl ?? snapshot.capture.documents.find((d) => d.isTop)?.url;
  lines.push(`- Claimscope ${code(options.extensionVersion)}${options.browser ? ` on ${code(options.browser)}` : ''}`);
  if (options.userAgent) lines.push(`- User agent: ${code(options.userAgent)}`);
  if (options.source) lines.push(`- Source: ${code(options.source)}`);
  if (tabUrl) lines.push(`- Page: ${code(redactor.string(tabUrl))}`);
  lines.push(`- Capture: ${start === null ? 'empty' : `${clock(start)} → ${clock(end!)}`}`);
  if (analysis) {
    const s = analysis.skew;
    lines.push(`- Clock skew (server − browser): ${s.known ? `${s.skewMs} ms, ${s.basis}` : s.basis}`);
  }
  const vsns = [...new Set(snapshot.connections.map((c) => /[?&]vsn=([^&#]*)/.exec(c.url)?.[1]).filter((v): v is string => v !== undefined))];
  if (vsns.length) lines.push(`- Realtime protocol: ${vsns.map((v) => code(safeDecode(v))).join(', ')}`);
  // supabase-js names itself in X-Client-Info (e.g. supabase-js-web/2.119.1) where the capture records it.
  const clients = [...new Set(held.flatMap((e) => (e.kind === 'http-request' ? [(e.headers as Record<string, unknown>)['x-client-info']] : [])).filter((v): v is string => typeof v === 'string' && v !== ''))];
  if (clients.length) lines.push(`- Client: ${clients.slice(0, 4).map((c) => code(redactor.string(c))).join(', ')}`);
  const lifecycle = held.filter((e) => e.kind === 'lifecycle').map((e) => (e as { change: string }).change);
  if (lifecycle.length) lines.push(`- Page lifecycle: ${[...new Set(lifecycle)].map((c) => `${c} ×${lifecycle.filter((x) => x === c).length}`).join(', ')}`);
  const d = snapshot.drops;
  const dropped = d.storeDroppedEvents + d.panelDroppedEvents;
  if (dropped > 0 || d.truncatedFrames > 0) lines.push(`- Not complete: ${dropped} event(s) dropped, ${d.truncatedFrames} frame(s) kept as previews`);
  const r = redactor.report();
  lines.push(
    `- Redacted: ${r.jwtSignatures} JWT signature(s), ${r.secretKeys} secret key(s), ${r.secretValues} secret value(s) removed; ${r.personalData} personal value(s) ${options.includePersonalData ? 'kept (personal data included)' : 'pseudonymised'}`,
  );
  lines.push('');
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}`;
}

function findingSection(entry: FindingEntry, n: number, redactor: Redactor, held: readonly CapturedEvent[]): string[] {
  const f = entry.finding;
  const out: string[] = [];
  const state = entry.state === 'active' ? '' : ` — resolved${entry.resolvedAt !== undefined ? ` at ${clock(entry.resolvedAt)}` : ''}${entry.resolvedWhy ? `: ${plain(redactor.string(entry.resolvedWhy))}` : ''}`;
  out.push(`### ${n}. ${f.severity.toUpperCase()} ${code(f.code)}${state}`);
  out.push('');
  out.push(plain(redactor.string(f.message)));
  out.push('');
  out.push(`- **Cause:** ${plain(redactor.string(f.cause))}`);
  out.push(`- **Fix:** ${plain(redactor.string(f.fix))}`);
  const ev = redactor.json(JSON.parse(JSON.stringify(f.evidence))) as Record<string, unknown>;
  const parts: string[] = [];
  if (f.time !== null) parts.push(`at ${clock(f.time)}`);
  for (const k of ['topic', 'token', 'claim', 'expected', 'actual', 'serverText', 'conn', 'requestId']) {
    if (ev[k] !== undefined) parts.push(`${k} ${code(valueText(ev[k]))}`);
  }
  if (typeof ev.frameSeq === 'number') {
    const frame = held.find((e) => e.seq === ev.frameSeq && (ev.conn === undefined || (e as { conn?: string }).conn === ev.conn));
    parts.push(`frame #${ev.frameSeq}${frame ? ` (${frame.kind === 'ws-frame' ? frame.dir : frame.kind} at ${clock(frame.time)})` : ''}`);
  }
  if (typeof ev.useCount === 'number' && ev.useCount > 1) parts.push(`used ${ev.useCount} times`);
  if (parts.length) out.push(`- **Evidence:** ${parts.join(' · ')}`);
  out.push('');
  return out;
}

function timeline(session: Session, held: readonly CapturedEvent[], entries: readonly FindingEntry[], redactor: Redactor, rows: number): string[] {
  const failures = entries.filter((e) => e.finding.severity === 'error' && e.finding.time !== null).map((e) => e.finding.time!);
  const out: string[] = [];
  if (held.length === 0) return out;
  const pivot = failures.length ? Math.min(...failures) : null;
  out.push(pivot === null ? '## Timeline (last events; no error finding)' : '## Timeline around the first failure');
  out.push('');
  const shown = held.filter((e) => e.kind !== 'other-sockets' && !(isFrameEvent(e) && session.catalog.facts(e).heartbeat));
  let window: CapturedEvent[];
  if (pivot === null) window = shown.slice(-rows);
  else {
    const near = shown.filter((e) => e.time >= pivot - TIMELINE_BEFORE_MS && e.time <= pivot + TIMELINE_AFTER_MS);
    const after = near.filter((e) => e.time > pivot).slice(0, Math.floor(rows / 4));
    const before = near.filter((e) => e.time <= pivot).slice(-(rows - after.length));
    window = [...before, ...after];
  }
  // Held order is per document; the network layer's observations arrive a little out of time order.
  window = [...window].sort((a, b) => a.time - b.time);
  out.push('| time (UTC) | Δ | socket | what |');
  out.push('|---|---|---|---|');
  const base = pivot ?? window[window.length - 1]?.time ?? 0;
  for (const e of window) {
    const delta = e.time - base;
    const conn = 'conn' in e && typeof e.conn === 'string' ? code(e.conn) : '';
    // Redacted first, then shortened as the panel shows tokens (`eyJ…` + the end), so a row stays readable.
    const what = maskTokensInText(describeEvent(session, e, redactor));
    out.push(`| ${clock(e.time).slice(11)} | ${delta === 0 ? '0' : `${delta > 0 ? '+' : '−'}${(Math.abs(delta) / 1000).toFixed(3)} s`} | ${conn} | ${cell(what)} |`);
  }
  out.push('');
  return out;
}

function describeEvent(session: Session, e: CapturedEvent, redactor: Redactor): string {
  switch (e.kind) {
    case 'ws-connecting':
      return `socket opening ${redactor.string(e.url)}`;
    case 'ws-open':
      return 'socket open';
    case 'ws-close':
      return `socket closed ${e.code}${e.reason ? ` ${redactor.string(e.reason)}` : ''}${e.wasClean ? '' : ' (not clean)'}`;
    case 'ws-error':
      return 'socket error';
    case 'ws-frame': {
      const d = session.catalog.describe(e);
      return `${e.dir === 'sent' ? '↑' : '↓'} ${d.topic} ${d.event}${d.summary ? ` ${redactor.string(d.summary)}` : ''}`.slice(0, 240);
    }
    case 'http-request':
      return `${e.method} ${redactor.string(e.url)}`;
    case 'http-response':
      return `response ${e.status}${e.networkError ? ` ${e.networkError}` : ''}${e.errorBody ? ` ${redactor.string(e.errorBody).slice(0, 160)}` : ''}`;
    case 'net':
      return `network: ${e.resourceType} ${e.status ?? ''}${e.error ? ` ${e.error}` : ''} ${redactor.string(e.url)}`;
    case 'lifecycle':
      return `page ${e.change}${e.jumpMs !== undefined ? ` (${e.jumpMs} ms)` : ''}`;
    case 'drops':
      return `dropped ${e.droppedEvents} event(s): ${e.reason}`;
    case 'rejected':
      return `rejected input: ${e.reason}`;
    default:
      return e.kind;
  }
}

/** A captured value as one line of text. */
function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    // a cyclic value cannot come from JSON captures; say so rather than throw
    return '(unprintable value)';
  }
}

function timeClaim(k: string, v: unknown): string {
  if (!['exp', 'iat', 'nbf', 'auth_time'].includes(k) || typeof v !== 'number' || !Number.isFinite(v)) return '';
  const d = new Date(v * 1000);
  return Number.isFinite(d.getTime()) ? ` (${clock(v * 1000)})` : '';
}

/**
 * Inline code holding any text: the fence is one backtick longer than the longest run inside,
 * padded with spaces when the text starts or ends with a backtick (CommonMark §6.1). Newlines and
 * control characters become visible escapes, so one value stays on one line.
 */
export function code(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (flat === '') return '` `';
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || (flat.startsWith(' ') && flat.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A table cell: a code span with `|` escaped (GFM splits rows on it even inside code). */
function cell(text: string): string {
  return code(text).replace(/\|/g, '\\|');
}

/**
 * Prose from the rules (message, cause, fix) quotes captured values (a server reason, a claim):
 * Markdown and HTML metacharacters are escaped so it renders as the words it is.
 */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '').replace(/([\\`*_[\]<>|&~])/g, '\\$1');
  // A line that starts like a heading, quote, list item or rule would become one.
  return /^\s*(?:[#>+=-]|\d+[.)])/.test(escaped) ? `\\${escaped.trimStart()}` : escaped;
}

function clock(ms: number): string {
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) ? d.toISOString() : '?';
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // not percent-encoded text: show it as written
    return s;
  }
}
