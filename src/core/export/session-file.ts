// The Claimscope session file, version 1 (issue 13 item 1; docs/session-format.md documents it,
// docs/session.schema.json is its JSON Schema). A redacted, self-contained record of one session:
// the captured events as the store recorded them (redacted), the environment, the tokens as the
// analysis decoded them (signature removed), the findings with their history and the evidence
// they point at, and which analysis settings were in force (never a key). Importing it
// (import.ts) replays the events into a Session analysed at the recorded time.
// Pure: no DOM, no extension APIs.

import { socketDocument } from '../analysis/lifecycle';
import type { EvidenceView } from '../analysis/evidence-index';
import { parseClientInfo } from '../realtime/client-info';
import type { CapturedEvent, PageLifecycle } from '../model';
import { isRealtimeSocketUrl } from '../model';
import { isSeparator, type SessionSnapshot } from '../session';
import type { FindingEntry } from '../session/finding-history';
import { Redactor, type RedactionOptions, type RedactionReport } from './redact';

export const SESSION_FORMAT = 'claimscope-session';
export const SESSION_VERSION = 1;

/** What the user told the engine: which keys were supplied, never the keys. */
export interface AnalysisSettings {
  secretSupplied: boolean;
  jwksSupplied: boolean;
  /** Claim validators Realtime was said to use (configuration, not a secret); null when none. */
  claimValidators: Record<string, unknown> | null;
  projectUrl: string | null;
}

export interface ExportOptions extends RedactionOptions {
  /** The extension's version (manifest), or the CLI's. */
  extensionVersion: string;
  /** Browser name and version, e.g. "Chromium 156"; null when unknown. */
  browser?: string | null;
  userAgent?: string | null;
  settings?: Partial<AnalysisSettings>;
  /** Export time (default: now). */
  exportedAt?: number;
}

export interface EventRef {
  docId: string;
  seq: number;
}

export interface SessionFileFinding {
  key: string;
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  cause: string;
  fix: string;
  /** When it applies (browser ms), null for timeless facts. */
  time: number | null;
  state: 'active' | 'resolved';
  raisedAt: number;
  resolvedAt: number | null;
  resolvedWhy: string | null;
  resolvedBy: string | null;
  /** The finding's evidence as the engine gave it (labels, never tokens), redacted. */
  evidence: Record<string, unknown>;
  /** The captured events it points at, resolvable in `events`. */
  refs: EventRef[];
}

export interface SessionFileToken {
  label: string;
  class: string;
  projectRef: string;
  header: Record<string, unknown> | null;
  claims: Record<string, unknown> | null;
  signature: 'removed' | 'none';
  firstSeen: number;
  lastSeen: number;
  uses: Array<{ kind: string; time: number; seq: number; conn: string | null; topic: string | null; req: string | null }>;
}

export interface SessionFileConnection {
  conn: string;
  docId: string;
  url: string;
  realtime: boolean;
  createdAt: number;
  openedAt: number | null;
  close: { code: number; reason: string; wasClean: boolean; time: number } | null;
  refused: boolean;
  framesSent: number;
  framesReceived: number;
  /** seq of this connection's frames in `events` (same docId). */
  frameSeqs: number[];
}

export interface SessionFileV1 {
  format: typeof SESSION_FORMAT;
  version: typeof SESSION_VERSION;
  exportedAt: string;
  producer: { name: 'claimscope'; extensionVersion: string };
  environment: {
    browser: string | null;
    userAgent: string | null;
    inspectedUrl: string | null;
    inspectedOrigin: string | null;
    /** ms since the epoch (browser clock): first and last captured event. */
    captureStart: number | null;
    captureEnd: number | null;
    /** The `now` of the analysis whose findings are written (importers analyse at this time). */
    analysedAt: number | null;
    clockSkew: { known: boolean; skewMs: number | null; basis: string; samples: number };
    lifecycle: Array<{ docId: string; seq: number; time: number; change: string; persisted?: boolean; jumpMs?: number }>;
    documents: Array<{ docId: string; url: string; isTop: boolean; startedAt: number }>;
    /** Client versions visible in the capture: the Realtime protocol `vsn` of the socket URLs, and the X-Client-Info libraries. */
    clientVersions: Array<{ name: string; version: string }>;
    drops: Record<string, number>;
  };
  redaction: { personalData: 'pseudonymised' | 'included'; payloadValues?: 'redacted'; removed: RedactionReport };
  analysisSettings: AnalysisSettings;
  connections: SessionFileConnection[];
  /** Every captured event held, redacted, in the session's order. */
  events: CapturedEvent[];
  tokens: SessionFileToken[];
  findings: SessionFileFinding[];
}

/** The session file of a snapshot: redacted by default (see redact.ts). */
export function exportSession(snapshot: SessionSnapshot, options: ExportOptions): SessionFileV1 {
  const redactor = new Redactor(options);
  const held = [...snapshot.rows].filter((r): r is CapturedEvent => !isSeparator(r));
  const events = held.map((e) => redactor.event(e));
  const analysis = snapshot.analysis.kind === 'done' ? snapshot.analysis.result.analysis : null;
  const times = held.map((e) => e.time);
  const tabUrl = snapshot.capture.tabUrl ?? snapshot.capture.documents.find((d) => d.isTop)?.url ?? null;

  const lifecycle = held
    .filter((e): e is PageLifecycle & CapturedEvent => e.kind === 'lifecycle')
    .map((e) => ({ docId: e.docId, seq: e.seq, time: e.time, change: e.change, ...(e.persisted !== undefined ? { persisted: e.persisted } : {}), ...(e.jumpMs !== undefined ? { jumpMs: e.jumpMs } : {}) }));

  const opened = openings(held);
  const framesByConn = new Map<string, number[]>();
  for (const e of held) if (e.kind === 'ws-frame') (framesByConn.get(e.conn) ?? framesByConn.set(e.conn, []).get(e.conn)!).push(e.seq);

  const connections: SessionFileConnection[] = snapshot.connections.map((c) => ({
    conn: c.conn,
    docId: socketDocument(opened, c.conn),
    url: redactor.string(c.url),
    realtime: c.url === '' || isRealtimeSocketUrl(c.url),
    createdAt: c.createdAt,
    openedAt: c.openedAt ?? null,
    close: c.close ? { code: c.close.code, reason: redactor.string(c.close.reason), wasClean: c.close.wasClean, time: c.close.time } : null,
    refused: c.refused,
    framesSent: c.framesSent,
    framesReceived: c.framesReceived,
    frameSeqs: framesByConn.get(c.conn) ?? [],
  }));

  const versions = new Map<string, string>();
  for (const c of snapshot.connections) {
    const vsn = /[?&]vsn=([^&#]*)/.exec(c.url)?.[1];
    if (vsn) versions.set(`realtime protocol (vsn)`, decodeURIComponent(vsn));
  }
  // supabase-js's X-Client-Info on the page's Supabase calls: the client and its version.
  for (const e of held) {
    const info = e.kind === 'http-request' ? e.headers['x-client-info'] : undefined;
    if (info === undefined || versions.size >= 16) continue;
    const client = parseClientInfo(info);
    if (client.library && client.version) versions.set(client.library, client.version);
  }

  const tokens: SessionFileToken[] = (analysis?.tokens ?? []).map((seen) => {
    const t = seen.token;
    return {
      label: t.label,
      class: t.tokenClass,
      projectRef: t.projectRef,
      header: t.header ? (redactor.json(t.header) as Record<string, unknown>) : null,
      claims: t.claims ? (redactor.json(t.claims) as Record<string, unknown>) : null,
      signature: t.form === 'jwt' && t.cleaned.split('.')[2] !== '' ? 'removed' : 'none',
      firstSeen: seen.firstSeen,
      lastSeen: seen.lastSeen,
      uses: seen.uses.map((u) => ({ kind: u.kind, time: u.time, seq: u.seq, conn: u.conn ?? null, topic: u.topic ?? null, req: u.req ?? null })),
    };
  });

  const findings = snapshot.findings.map((entry) => fileFinding(entry, held, opened, redactor));

  const project = options.settings ?? {};
  return {
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    exportedAt: new Date(options.exportedAt ?? Date.now()).toISOString(),
    producer: { name: 'claimscope', extensionVersion: options.extensionVersion },
    environment: {
      browser: options.browser ?? null,
      userAgent: options.userAgent ?? null,
      inspectedUrl: tabUrl === null ? null : redactor.string(tabUrl),
      inspectedOrigin: tabUrl === null ? null : originOf(tabUrl),
      captureStart: times.length ? Math.min(...times) : null,
      captureEnd: times.length ? Math.max(...times) : null,
      analysedAt: analysis?.now ?? null,
      clockSkew: analysis
        ? { known: analysis.skew.known, skewMs: analysis.skew.skewMs, basis: analysis.skew.basis, samples: analysis.skew.samples.length }
        : { known: false, skewMs: null, basis: 'not analysed', samples: 0 },
      lifecycle,
      documents: snapshot.capture.documents.map((d) => ({ docId: d.docId, url: redactor.string(d.url), isTop: d.isTop, startedAt: d.startedAt })),
      clientVersions: [...versions].map(([name, version]) => ({ name, version })),
      drops: { ...snapshot.drops },
    },
    redaction: { personalData: options.includePersonalData ? 'included' : 'pseudonymised', ...(options.redactPayloadValues ? { payloadValues: 'redacted' as const } : {}), removed: redactor.report() },
    analysisSettings: {
      secretSupplied: project.secretSupplied ?? false,
      jwksSupplied: project.jwksSupplied ?? false,
      claimValidators: project.claimValidators ?? null,
      projectUrl: project.projectUrl ?? null,
    },
    connections,
    events,
    tokens,
    findings,
  };
}

function fileFinding(entry: FindingEntry, held: readonly CapturedEvent[], opened: Pick<EvidenceView, 'connectingDoc'>, redactor: Redactor): SessionFileFinding {
  const f = entry.finding;
  return {
    key: redactor.string(entry.key),
    code: f.code,
    severity: f.severity,
    message: redactor.string(f.message),
    cause: redactor.string(f.cause),
    fix: redactor.string(f.fix),
    time: f.time,
    state: entry.state,
    raisedAt: entry.raisedAt,
    resolvedAt: entry.resolvedAt ?? null,
    resolvedWhy: entry.resolvedWhy ?? null,
    resolvedBy: entry.resolvedBy === undefined ? null : redactor.string(entry.resolvedBy),
    evidence: redactor.json(JSON.parse(JSON.stringify(f.evidence))) as Record<string, unknown>,
    refs: evidenceRefs(f.evidence, held, opened),
  };
}

/** The captured events a finding's evidence names: its frame, its request and response, its socket's opening. */
export function evidenceRefs(evidence: { frameSeq?: number; requestId?: string; conn?: string; uses?: ReadonlyArray<{ seq?: number; conn?: string }> }, held: readonly CapturedEvent[], opened = openings(held)): EventRef[] {
  const refs: EventRef[] = [];
  const add = (e: CapturedEvent | undefined) => {
    if (e && !refs.some((r) => r.docId === e.docId && r.seq === e.seq)) refs.push({ docId: e.docId, seq: e.seq });
  };
  const doc = evidence.conn !== undefined ? socketDocument(opened, evidence.conn) : undefined;
  if (evidence.frameSeq !== undefined) {
    add(held.find((e) => e.seq === evidence.frameSeq && (doc === undefined || e.docId === doc) && (evidence.conn === undefined || (e as { conn?: string }).conn === evidence.conn)));
  }
  if (evidence.requestId !== undefined) {
    for (const e of held) if ((e.kind === 'http-request' || e.kind === 'http-response') && e.req === evidence.requestId) add(e);
  }
  if (evidence.conn !== undefined && evidence.frameSeq === undefined) add(held.find((e) => e.kind === 'ws-connecting' && e.conn === evidence.conn));
  return refs;
}

/** Each socket's `ws-connecting` document, for the analysis's own lookup (lifecycle.ts socketDocument). */
function openings(held: readonly CapturedEvent[]): Pick<EvidenceView, 'connectingDoc'> {
  const connectingDoc = new Map<string, string>();
  for (const e of held) if (e.kind === 'ws-connecting') connectingDoc.set(e.conn, e.docId);
  return { connectingDoc };
}

function originOf(url: string): string | null {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]+)/i.exec(url);
  return m ? m[1] : null;
}
