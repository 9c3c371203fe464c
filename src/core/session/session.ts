// The session core: one `Session` per inspected tab (or imported file) that every face — the
// DevTools panel, the popup, the CLI — reads. It ingests captured events (live batches and
// snapshots from the background, late events merged from DevTools' network log, and later an
// imported file) once, owns the Realtime tracker, the claims engine and the view models, and
// publishes immutable, versioned snapshots (`snapshot()`). Pure: no DOM, no extension APIs.
//
// Cost per batch (issue 8, "incremental analysis"):
// - ingest: each event is deduplicated, appended, decoded once (FrameCatalog) and fed to the
//   tracker: proportional to the batch;
// - publish: rows are shared with the log (append-only array + length), and only the connection
//   and channel records of sockets the batch touched are copied;
// - analysis: the claims engine reads the evidence events (everything but frames: HTTP calls,
//   socket lifecycle, page lifecycle, network observations) and the published connection and
//   channel records — never the frames, which are the bulk of a long session.

import { EvidenceIndex } from '../analysis/evidence-index';
import type { CapturedEvent } from '../model';
import { RealtimeTracker, type ChannelRecord, type ConnectionRecord, type RealtimeSession } from '../realtime';
import type { TrackerEvictions } from '../realtime/tracker';
import type { FrameRef, JoinAttempt, SystemMessage, TokenPush } from '../realtime/types';
import type { ProjectKnowledge } from '../tokens/project';
import { SessionEngine, type EngineResult } from './engine';
import { EventLog, isSeparator, type CaptureState, type DropSummary, type LogChange, type SessionRow } from './event-log';
import { FindingHistory, type FindingEntry } from './finding-history';
import { FrameCatalog, isFrameEvent, type FrameDecoder, type FrameEvent } from './frame-catalog';
import { FrameLinks, type FrameLink } from './frame-links';
import { hookReport, type HookReport } from './hook-status';
import type { DocumentInfo, HookState } from '../../messages';
import { DocumentUnloads, unloadLookup, type UnloadLookup } from './unload';

export interface SessionOptions {
  tabId: number;
  maxEvents?: number;
  /** Byte budget of the held events (default STORE_LIMITS.panelMaxBytes, 64 MB). */
  maxBytes?: number;
  now?: () => number;
  /** Frame decoder (default: core/realtime decodeFrame). Tests inject a counting one. */
  decodeFrame?: FrameDecoder;
}

/** The rows of one snapshot: a fixed-length view over the log's append-only array. */
export interface RowsView extends Iterable<SessionRow> {
  readonly length: number;
  at(index: number): SessionRow | undefined;
}

/** What the claims engine last said, and about which content. */
export type AnalysisState =
  | { kind: 'pending' }
  | { kind: 'done'; result: EngineResult; contentVersion: number; projectKey: string }
  | { kind: 'failed'; message: string; contentVersion: number; projectKey: string };

export interface CaptureView {
  status: CaptureState;
  tabUrl?: string;
  hook?: HookState;
  documents: readonly DocumentInfo[];
  /** A problem the user must act on (protocol mismatch, malformed messages). */
  problem?: string;
  hookReport: HookReport;
}

/** Everything a face shows, as of one version. Never changes after it is published. */
export interface SessionSnapshot {
  readonly version: number;
  /** Bumped only by captured content (events, clear), not by analysis results. */
  readonly contentVersion: number;
  readonly tabId: number;
  readonly capture: CaptureView;
  readonly drops: DropSummary;
  readonly otherSockets: number;
  readonly eventCount: number;
  readonly rows: RowsView;
  readonly connections: readonly ConnectionRecord[];
  readonly channels: readonly ChannelRecord[];
  /** Which connections ended with their page (pagehide still in force for their document). */
  readonly unloads: UnloadLookup;
  readonly analysis: AnalysisState;
  /**
   * Every finding raised since the session began (or was cleared), active or resolved with when
   * and why (finding-history.ts): the story of a failure outlives the failure.
   */
  readonly findings: readonly FindingEntry[];
  /** What the user told the engine about the project (changes the verdicts). */
  readonly projectKey: string;
}

export class Session {
  readonly log: EventLog;
  readonly catalog: FrameCatalog;
  readonly engine = new SessionEngine();
  private tracker: RealtimeTracker;
  /** Push ↔ reply pairs of the held frames (the Frames view's details pane). */
  private links = new FrameLinks();
  /** The tracker's eviction passes already reflected in the published records. */
  private trackerEvictionsSeen = 0;
  /** Documents that went away (pagehide): their sockets are shown closed by the unload. */
  private readonly unloads = new DocumentUnloads();
  /** What the engine reads of the held events (all but frames), extracted as they arrive. */
  private evidence = new EvidenceIndex();
  /** How many of the log's documents the evidence has read (their URLs' tokens, once each). */
  private documentsRead = 0;
  /** Documents known at a Clear: their URLs' tokens were cleared with their events. */
  private readonly clearedDocuments = new Set<string>();
  /** Documents named by an imported file (`applyDocuments`), read as the log's are. */
  private readonly fileDocuments: DocumentInfo[] = [];
  private contentVersion = 0;
  /** Bumped by every event but bulk frames: what can change a finding (see `newEvidence`). */
  private evidenceVersion = 0;
  /** `evidenceVersion` as the last engine run started. */
  private analysedEvidence = 0;
  private version = 0;
  private analysis: AnalysisState = { kind: 'pending' };
  private analysisRuns = 0;
  private readonly history = new FindingHistory();
  private project: ProjectKnowledge = {};
  private projectKey = 'none';
  /** Published copies of tracker records, and the sockets whose records changed since. */
  private readonly published = new WeakMap<object, ConnectionRecord | ChannelRecord>();
  private dirtyConns = new Set<string>();
  private allDirty = true;
  private current?: SessionSnapshot;
  private readonly listeners = new Set<() => void>();
  /** How many times the tracker had to be rebuilt from the held events (late events, clear). */
  rebuilds = 0;

  constructor(options: SessionOptions) {
    this.catalog = new FrameCatalog(options.decodeFrame);
    this.log = new EventLog({ tabId: options.tabId, maxEvents: options.maxEvents, maxBytes: options.maxBytes, now: options.now, isBulk: this.catalog.isBulk });
    this.tracker = this.newTracker();
  }

  // ---- ingest -------------------------------------------------------------------------------

  /** Ingests one BackgroundToPanel message (unvalidated input: the log validates it). */
  apply(message: unknown): LogChange[] {
    // The catalog must know each socket's vsn before the log's bound classifies frames.
    if (message && typeof message === 'object') {
      const m = message as { type?: unknown; events?: unknown; snapshot?: { events?: unknown } };
      if (m.type === 'events' && Array.isArray(m.events)) this.catalog.noteEvents(m.events);
      if (m.type === 'snapshot' && m.snapshot && Array.isArray(m.snapshot.events)) this.catalog.noteEvents(m.snapshot.events);
    }
    return this.follow(this.log.apply(message));
  }

  /**
   * A message the transport refused (src/transport): counted and shown as a problem, never applied.
   * `peerVersion` when the only fault was the background's protocol version.
   */
  refuse(reason: string, peerVersion?: number): LogChange[] {
    return this.follow(this.log.refuse(reason, peerVersion));
  }

  /** Events the panel observed itself (DevTools' network log), or read from a file: see EventLog.applyLocal. */
  applyLocal(events: readonly CapturedEvent[]): LogChange[] {
    this.catalog.noteEvents(events);
    return this.follow(this.log.applyLocal(events));
  }

  /**
   * The documents an imported session file names (their URLs, redacted like the rest): the tokens
   * those URLs hold are uses as in the live panel. Malformed entries are skipped.
   */
  applyDocuments(documents: readonly unknown[]): void {
    for (const d of documents) {
      const doc = d as Partial<DocumentInfo> | null;
      if (doc && typeof doc.docId === 'string' && typeof doc.url === 'string' && typeof doc.startedAt === 'number' && Number.isFinite(doc.startedAt)) {
        this.fileDocuments.push({ docId: doc.docId, url: doc.url, isTop: doc.isTop === true, startedAt: doc.startedAt });
      }
    }
    this.follow([{ kind: 'meta' }]);
  }

  clear(): LogChange[] {
    for (const docId of this.log.docs.keys()) this.clearedDocuments.add(docId);
    for (const doc of this.fileDocuments) this.clearedDocuments.add(doc.docId);
    this.catalog.clear();
    this.history.clear();
    return this.follow(this.log.clear());
  }

  /** What the user supplied about the project (JWKS, secret); `key` changes whenever it does. */
  setProject(project: ProjectKnowledge, key: string): void {
    if (key === this.projectKey) return;
    this.project = project;
    this.projectKey = key;
    this.changed(false);
  }

  // ---- analysis -----------------------------------------------------------------------------

  /** Whether the engine's last answer is about older content, other keys, or none yet. */
  analysisStale(): boolean {
    const a = this.analysis;
    return a.kind === 'pending' || a.contentVersion !== this.contentVersion || a.projectKey !== this.projectKey;
  }

  /**
   * Whether something other than bulk traffic arrived since the engine last started: a server's
   * error reply, a join, a token, a close, an HTTP call. The panel runs the engine for these at
   * once, and keeps its once-a-second pace for floods of broadcasts and heartbeats.
   */
  newEvidence(): boolean {
    return this.evidenceVersion !== this.analysedEvidence;
  }

  /**
   * Runs the claims engine on the session as it is now (a consistent copy: events that arrive
   * during the run are analysed by the next one) and publishes the answer. `now` is the browser
   * time countdowns and "expires soon" are judged at: a clock tick re-runs it with no new events.
   */
  async analyse(now: number): Promise<void> {
    const input = this.snapshot();
    // The index only grows until the next rebuild, which replaces it: the engine takes its own
    // copy of the lists before its first await, so events arriving during the run wait for the next.
    const evidence = this.evidence;
    const { contentVersion, projectKey } = input;
    const project = this.project;
    this.analysedEvidence = this.evidenceVersion;
    const run = ++this.analysisRuns;
    let answer: AnalysisState;
    try {
      const result = await this.engine.run(evidence, input, { now, project, projectKey });
      answer = { kind: 'done', result, contentVersion, projectKey };
    } catch (error) {
      answer = { kind: 'failed', message: error instanceof Error ? error.message : String(error), contentVersion, projectKey };
    }
    // Two runs may overlap (a caller that does not wait): only the latest one started is published.
    if (run !== this.analysisRuns) return;
    this.analysis = answer;
    if (answer.kind === 'done') this.history.update(answer.result.analysis.findings, { now, channels: answer.result.analysis.channels });
    this.changed(false);
  }

  // ---- publishing ---------------------------------------------------------------------------

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The session as of now. The same object until something changes; never mutated afterwards. */
  snapshot(): SessionSnapshot {
    if (this.current && this.current.version === this.version) return this.current;
    const log = this.log;
    const live = this.tracker.records();
    const snapshot: SessionSnapshot = Object.freeze({
      version: this.version,
      contentVersion: this.contentVersion,
      tabId: log.tabId,
      capture: Object.freeze({
        status: log.status,
        tabUrl: log.tabUrl,
        hook: log.hook,
        documents: Object.freeze(log.documents.slice()),
        problem: log.problem,
        hookReport: hookReport(log),
      }),
      drops: Object.freeze({ ...log.drops(), recordsEvicted: recordsEvicted(this.tracker.evictions()) }),
      otherSockets: log.otherSockets(),
      eventCount: log.eventCount,
      rows: rowsView(log.rows, log.rows.length),
      connections: Object.freeze(live.connections.map((c) => this.publishRecord(c, c.conn))),
      channels: Object.freeze(live.channels.map((ch) => this.publishRecord(ch, ch.key.conn))),
      unloads: unloadLookup(this.unloads.all()),
      analysis: this.analysis,
      findings: Object.freeze(this.history.entries()),
      projectKey: this.projectKey,
    });
    this.dirtyConns = new Set();
    this.allDirty = false;
    this.current = snapshot;
    return snapshot;
  }

  /** The reply this push got, or the push this reply answers (paired by the tracker, §2.1). */
  frameLink(frame: FrameEvent): FrameLink | undefined {
    return this.links.linkOf(frame);
  }

  /** The tracker's live records (connections, channels, frame records): for tests and the bench. */
  realtime(): RealtimeSession {
    return this.tracker.snapshot();
  }

  // -------------------------------------------------------------------------------------------

  private follow(changes: LogChange[]): LogChange[] {
    let content = false;
    for (const change of changes) {
      switch (change.kind) {
        case 'appended':
          this.feed(change.events);
          content = true;
          break;
        case 'reordered':
        case 'cleared':
          this.rebuild();
          content = true;
          break;
        case 'separator':
          // A "page reloaded" row was added or named its document: the rows changed.
          content = true;
          break;
        case 'evicted':
          // Evictions keep what the tracker learned: a join attempt stays explained after its
          // frames were evicted. The engine's evidence (no frames) follows the log only when
          // evidence itself was evicted: rare, since bulk frames go first.
          if (!change.onlyBulk) {
            this.evidence = this.indexOf(this.log.rows);
            this.documentsRead = 0;
          }
          content = true;
          break;
        default:
          break;
      }
    }
    if (this.readDocuments()) content = true;
    if (changes.length > 0) this.changed(content);
    return changes;
  }

  /**
   * The URL of each document the log learned of (a snapshot names its document) goes to the
   * evidence once: the tokens it holds are uses dated at the document's start (EvidenceIndex
   * addDocument), however many events the document sends. Returns whether a token was found.
   */
  private readDocuments(): boolean {
    const docs = this.log.docs;
    if (docs.size + this.fileDocuments.length === this.documentsRead) return false;
    this.documentsRead = docs.size + this.fileDocuments.length;
    const before = this.evidence.pageUrlTokens.length;
    for (const doc of [...docs.values(), ...this.fileDocuments]) if (!this.clearedDocuments.has(doc.docId)) this.evidence.addDocument(doc);
    if (this.evidence.pageUrlTokens.length === before) return false;
    this.evidenceVersion++;
    return true;
  }

  private changed(content: boolean): void {
    this.version++;
    if (content) this.contentVersion++;
    for (const listener of this.listeners) listener();
  }

  private rebuild(): void {
    this.rebuilds++;
    this.tracker = this.newTracker();
    this.links = new FrameLinks();
    this.trackerEvictionsSeen = 0;
    this.unloads.clear();
    this.evidence = new EvidenceIndex();
    this.documentsRead = 0;
    this.allDirty = true;
    this.feed(this.log.rows.filter((row): row is CapturedEvent => !isSeparator(row)));
  }

  /**
   * Feeds the tracker; the tracker decodes each frame through the catalog (one decode per frame,
   * shared with the rows' descriptions and the selected frame's details).
   */
  private feed(events: readonly CapturedEvent[]): void {
    for (const event of events) {
      const record = this.tracker.ingest(event);
      if (isFrameEvent(event)) this.links.note(event, record);
      this.unloads.note(event);
      if (isFrameEvent(event)) this.evidence.noteTime(event.time);
      else this.evidence.add(event);
      if (!this.catalog.isBulk(event)) this.evidenceVersion++;
      const conn = (event as { conn?: unknown }).conn;
      if (typeof conn === 'string') this.dirtyConns.add(conn);
      // Network observations are matched to sockets by URL inside the tracker.
      else if (event.kind === 'net') this.allDirty = true;
    }
    // The tracker evicted records to stay within its byte budget: lists of any socket may have
    // changed, so every published copy is made again.
    if (this.tracker.evictionCount !== this.trackerEvictionsSeen) {
      this.trackerEvictionsSeen = this.tracker.evictionCount;
      this.allDirty = true;
    }
  }

  /** A frozen copy of a tracker record; reused while its socket saw nothing new. */
  private publishRecord<T extends ConnectionRecord | ChannelRecord>(record: T, conn: string): T {
    const held = this.published.get(record) as T | undefined;
    if (held && !this.allDirty && !this.dirtyConns.has(conn)) return held;
    const copy = ('attempts' in record ? publishedChannel(record) : publishedConnection(record as ConnectionRecord)) as T;
    this.published.set(record, copy);
    return copy;
  }

  private indexOf(rows: readonly SessionRow[]): EvidenceIndex {
    const index = new EvidenceIndex();
    for (const row of rows) {
      if (isSeparator(row)) continue;
      if (isFrameEvent(row)) index.noteTime(row.time);
      else index.add(row);
    }
    return index;
  }

  private newTracker(): RealtimeTracker {
    // Bulk payloads are parsed again (cached) when the user opens a frame: the tracker need not
    // keep 200,000 decoded broadcasts in memory. Its frame records are bounded like the log (the
    // log evicts events but the tracker keeps what it learned from them: connections, channels
    // and join attempts stay; only per-frame records are forgotten).
    return new RealtimeTracker({ keepBulkPayloads: false, maxFrames: this.log.maxEvents, decodeFrame: this.catalog.ingestDecode });
  }
}

function recordsEvicted(e: TrackerEvictions): number {
  return e.connections + e.channels + e.attempts + e.tokenPushes + e.systemMessages;
}

function rowsView(rows: readonly SessionRow[], length: number): RowsView {
  return Object.freeze({
    length,
    at: (index: number) => (index >= 0 && index < length ? rows[index] : undefined),
    *[Symbol.iterator]() {
      for (let i = 0; i < length; i++) yield rows[i];
    },
  });
}

/*
 * Published copies of tracker records: the records' own structure is copied and frozen, field by
 * field; captured values inside them (reply responses, pushed tokens, system payloads) are shared,
 * never walked — the tracker never mutates them, and a hostile page can nest them thousands deep
 * (a recursive clone or freeze would overflow the stack).
 */
const frozen = <T extends object>(value: T): Readonly<T> => Object.freeze(value);
const ref = (f: FrameRef): FrameRef => frozen({ ...f });

function publishedConnection(c: ConnectionRecord): ConnectionRecord {
  return frozen({
    ...c,
    ...(c.close ? { close: frozen({ ...c.close }) } : {}),
    ...(c.upgrade ? { upgrade: frozen({ ...c.upgrade }) } : {}),
    ...(c.lastHeartbeatReply ? { lastHeartbeatReply: ref(c.lastHeartbeatReply) } : {}),
  });
}

function publishedChannel(ch: ChannelRecord): ChannelRecord {
  return frozen({
    ...ch,
    key: frozen({ ...ch.key }),
    attempts: frozen(ch.attempts.map((a) => frozen({ ...a, frame: ref(a.frame), ...(a.reply ? { reply: frozen({ ...a.reply, frame: ref(a.reply.frame) }) } : {}) }))) as JoinAttempt[],
    tokenPushes: frozen(ch.tokenPushes.map((p) => frozen({ ...p, frame: ref(p.frame) }))) as TokenPush[],
    systemMessages: frozen(ch.systemMessages.map((m) => frozen({ ...m, frame: ref(m.frame) }))) as SystemMessage[],
    errors: frozen(ch.errors.map(ref)) as FrameRef[],
    ...(ch.closedBy ? { closedBy: ref(ch.closedBy) } : {}),
    ...(ch.leftBy ? { leftBy: ref(ch.leftBy) } : {}),
  });
}
