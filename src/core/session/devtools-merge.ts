// Merging what DevTools' network log saw into the panel's store without duplicating what the page
// hook already captured (issue 3 §3, last bullet). Pure: no DOM, no extension APIs; unit-tested.
//
// The hook records every Realtime socket of the page's own documents from the first frame. What
// it cannot see are sockets opened where a MAIN-world content script never runs: dedicated and
// shared workers. DevTools' network log sees those too, while DevTools is open. So each Realtime
// socket in the log is either
//   - the hook's: a hook-captured socket has the same URL and the same first frames (direction,
//     payload, time within a tolerance), or, before any frame, was created at about the same time
//     (the initiator stack does not tell: the hook's script carries no extension URL there);
//   - or DevTools-only: added to the panel under its own document id `devtools:<tabId>`, with its
//     own seq counter, so EventLog's (docId, seq) dedupe keeps working and a re-read of the log
//     never adds a frame twice.
// A socket is decided only after a grace period: the hook's events travel page → content script →
// service worker → panel and may arrive after DevTools reported the socket.

import type { CapturedEvent, CapturedEventBody, ConnectionId, FrameDirection } from '../model';
import { utf8Length } from '../realtime/bytes';
import { PAGE_LIMITS, type DistributiveOmit } from '../../messages';
import { base64Size, harSocketKey, isRealtimeHarSocket, parseHarSocket, type HarSocket } from './har-sockets';
import { isSeparator, type SessionRow } from './event-log';

/** What the hook captured about one socket, enough to recognise it in DevTools' log. */
export interface HookSocket {
  conn: ConnectionId;
  url: string;
  /** Time the hook saw the socket created (ms since the epoch). */
  time: number;
  /** Its first frames, in order. */
  frames: HookFrame[];
}

export interface HookFrame {
  dir: FrameDirection;
  opcode: 'text' | 'binary';
  /** Text, or base64 for binary frames; possibly a preview (truncated). */
  data: string;
  truncated: boolean;
  time: number;
}

/** How many leading frames are compared. */
const MATCH_FRAMES = 5;

/** The hook-captured sockets in the panel's rows (events from DevTools itself excluded). */
export function hookSocketsFromRows(rows: Iterable<SessionRow>, maxFrames = MATCH_FRAMES): HookSocket[] {
  const byConn = new Map<ConnectionId, HookSocket>();
  for (const row of rows) {
    if (isSeparator(row) || row.source === 'devtools') continue;
    if (row.kind === 'ws-connecting') {
      if (!byConn.has(row.conn)) byConn.set(row.conn, { conn: row.conn, url: String(row.url), time: row.time, frames: [] });
    } else if (row.kind === 'ws-frame') {
      const socket = byConn.get(row.conn);
      if (!socket || socket.frames.length >= maxFrames) continue;
      const data = row.opcode === 'binary' ? row.base64 : row.text;
      if (typeof data !== 'string') continue;
      socket.frames.push({ dir: row.dir, opcode: row.opcode, data, truncated: row.truncated === true, time: row.time });
    }
  }
  return [...byConn.values()];
}

/**
 * The hook-captured socket that is this DevTools socket, if any: same URL, then the same first
 * frames (direction, kind, payload, time within `toleranceMs`); with no frame on either side yet,
 * a creation time within `toleranceMs`. Among several candidates (a client reconnecting to the same
 * URL), the one created closest in time. `claimed` hook sockets are already matched to another.
 */
export function matchHookSocket(
  har: HarSocket,
  hooks: readonly HookSocket[],
  claimed: ReadonlySet<ConnectionId>,
  toleranceMs = 2_000,
): ConnectionId | undefined {
  let best: { conn: ConnectionId; distance: number } | undefined;
  for (const hook of hooks) {
    if (hook.url !== har.url || claimed.has(hook.conn)) continue;
    const n = Math.min(MATCH_FRAMES, har.messages.length, hook.frames.length);
    let matches: boolean;
    if (n === 0) {
      // Nothing to compare but creation times; a hook socket that already has frames while DevTools
      // has none (or the reverse) is compared the same way: DevTools may be reading a little behind.
      matches = Math.abs(hook.time - har.startedAt) <= toleranceMs;
    } else {
      matches = true;
      for (let i = 0; i < n && matches; i++) matches = sameFrame(har.messages[i], hook.frames[i], toleranceMs);
    }
    if (!matches) continue;
    const distance = Math.abs(hook.time - har.startedAt);
    if (!best || distance < best.distance) best = { conn: hook.conn, distance };
  }
  return best?.conn;
}

function sameFrame(har: HarSocket['messages'][number], hook: HookFrame, toleranceMs: number): boolean {
  if (har.dir !== hook.dir || har.opcode !== hook.opcode) return false;
  if (Math.abs(har.time - hook.time) > toleranceMs) return false;
  if (!hook.truncated) return har.data === hook.data;
  // The hook kept a preview: compare what it kept (base64 only up to a whole 4-character group).
  const kept = hook.opcode === 'binary' ? hook.data.slice(0, hook.data.length - (hook.data.length % 4)) : hook.data;
  return har.data.startsWith(kept);
}

// ---------------------------------------------------------------------------------------------

export type SocketOwner =
  /** Not decided yet (grace period: the hook's events may still be on their way). */
  | 'pending'
  /** The page hook captured it: DevTools adds nothing. */
  | 'hook'
  /** Only DevTools saw it: added to the panel as `devtools:<tabId>` events. */
  | 'devtools';

/** What the UI says about a socket only DevTools saw. */
export interface DevtoolsSocketInfo {
  conn: ConnectionId;
  url: string;
  /** DevTools' log carries this socket's frames (Chromium); false: the browser's HAR has none. */
  framesVisible: boolean;
  /** DevTools reported the socket finished (closed, or the upgrade failed). */
  finished: boolean;
  /** The upgrade status DevTools reports: 101, or 0 when it gives none (a refused upgrade shows 0). */
  status: number;
  unreadableMessages: number;
}

export interface DevtoolsMergeSummary {
  /** Realtime sockets in DevTools' log that the hook captured. */
  hookSeen: number;
  /** Realtime sockets only DevTools saw (added to the panel). */
  devtoolsOnly: number;
  pending: number;
  /** HAR entries that looked like WebSockets but could not be read (reasons in `problems`). */
  unreadable: number;
  problems: string[];
}

export interface DevtoolsMergeOptions {
  tabId: number;
  /** How long to wait for the hook's events before deciding a socket is DevTools-only. */
  graceMs?: number;
  toleranceMs?: number;
  /** Stop re-reading the log for an open socket after this long without a new frame (Realtime heartbeats every 25–30 s). */
  idleMs?: number;
}

interface Tracked {
  socket: HarSocket;
  owner: SocketOwner;
  firstSeenAt: number;
  lastGrowthAt: number;
  finished: boolean;
  conn?: ConnectionId;
  emitted: { connecting: boolean; open: boolean; frames: number; error: boolean; close: boolean };
}

const MAX_PROBLEMS = 20;

export class DevtoolsSocketMerger {
  readonly docId: string;
  private readonly tabId: number;
  private readonly graceMs: number;
  private readonly toleranceMs: number;
  private readonly idleMs: number;
  private readonly sockets = new Map<string, Tracked>();
  private readonly claimed = new Set<ConnectionId>();
  private readonly byConn = new Map<ConnectionId, Tracked>();
  private nextSeq = 1;
  private nextConn = 1;
  private unreadable = 0;
  private readonly problems: string[] = [];

  constructor(options: DevtoolsMergeOptions) {
    this.tabId = options.tabId;
    this.docId = `devtools:${options.tabId}`;
    this.graceMs = options.graceMs ?? 1_500;
    this.toleranceMs = options.toleranceMs ?? 2_000;
    this.idleMs = options.idleMs ?? 60_000;
  }

  /**
   * One HAR entry from getHAR() (`finished` false: the socket may still be open) or from
   * onRequestFinished (`finished` true). Ordinary HTTP entries and non-Realtime sockets are ignored.
   */
  offer(entry: unknown, finished: boolean, now: number): void {
    // A socket already known to be the hook's needs nothing more from the log: skip reading its
    // (possibly huge) message list again on every re-read.
    const key = harSocketKey(entry);
    const knownHook = key === undefined ? undefined : this.sockets.get(key);
    if (knownHook?.owner === 'hook') {
      knownHook.finished ||= finished;
      return;
    }
    const parsed = parseHarSocket(entry);
    if (parsed.kind === 'not-websocket') return;
    if (parsed.kind === 'unreadable') {
      this.unreadable++;
      this.problem(parsed.reason);
      return;
    }
    const socket = parsed.socket;
    if (!isRealtimeHarSocket(socket)) return;
    // A refused or failed upgrade is over as soon as DevTools records the error.
    const over = finished || (socket.errored && socket.status !== 101);
    const known = this.sockets.get(socket.key);
    if (!known) {
      const tracked: Tracked = {
        socket,
        owner: 'pending',
        firstSeenAt: now,
        lastGrowthAt: now,
        finished: over,
        emitted: { connecting: false, open: false, frames: 0, error: false, close: false },
      };
      this.sockets.set(socket.key, tracked);
      return;
    }
    // Later reads only ever add frames; an older (shorter) read arriving late changes nothing.
    if (socket.messages.length > known.socket.messages.length) known.lastGrowthAt = now;
    if (socket.messages.length >= known.socket.messages.length) known.socket = socket;
    known.finished ||= over;
  }

  /**
   * Decides pending sockets (after the grace period, once `hookReady` says the hook's snapshot has
   * been received) and returns the new events for DevTools-only sockets, in order, stamped with
   * this merger's document id and seqs.
   */
  decide(now: number, hookSockets: () => readonly HookSocket[], hookReady: boolean): CapturedEvent[] {
    let hooks: readonly HookSocket[] | undefined;
    const out: CapturedEvent[] = [];
    // Oldest first, so conn ids and seqs follow the order the sockets were created.
    const ordered = [...this.sockets.values()].sort((a, b) => a.socket.startedAt - b.socket.startedAt);
    for (const t of ordered) {
      if (t.owner === 'pending') {
        hooks ??= hookSockets();
        const conn = matchHookSocket(t.socket, hooks, this.claimed, this.toleranceMs);
        if (conn !== undefined) {
          t.owner = 'hook';
          this.claimed.add(conn);
          t.socket = { ...t.socket, messages: [] }; // the hook has them; keep no second copy
        } else if (hookReady && now - t.firstSeenAt >= this.graceMs) {
          t.owner = 'devtools';
          t.conn = `${this.docId}:${this.nextConn++}`;
          this.byConn.set(t.conn, t);
        }
      }
      if (t.owner === 'devtools') this.emit(t, out);
    }
    return out;
  }

  /** Whether re-reading the whole log (getHAR) may still bring something: an undecided or DevTools-only socket that looks alive. */
  wantsPoll(now: number): boolean {
    for (const t of this.sockets.values()) {
      if (t.owner === 'hook' || t.finished) continue;
      if (now - t.lastGrowthAt < this.idleMs) return true;
    }
    return false;
  }

  /** A DevTools-only connection, for the UI; undefined for the hook's connections. */
  devtoolsSocket(conn: ConnectionId): DevtoolsSocketInfo | undefined {
    const t = this.byConn.get(conn);
    if (!t) return undefined;
    return {
      conn,
      url: t.socket.url,
      framesVisible: t.socket.framesVisible,
      finished: t.finished,
      status: t.socket.status,
      unreadableMessages: t.socket.unreadableMessages,
    };
  }

  summary(): DevtoolsMergeSummary {
    let hookSeen = 0;
    let devtoolsOnly = 0;
    let pending = 0;
    for (const t of this.sockets.values()) {
      if (t.owner === 'hook') hookSeen++;
      else if (t.owner === 'devtools') devtoolsOnly++;
      else pending++;
    }
    return { hookSeen, devtoolsOnly, pending, unreadable: this.unreadable, problems: [...this.problems] };
  }

  /** Records a problem for the UI (e.g. getHAR failed); the list is bounded. */
  problem(reason: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(reason);
    else this.problems[MAX_PROBLEMS - 1] = `${reason} (and earlier problems)`;
  }

  private emit(t: Tracked, out: CapturedEvent[]): void {
    const conn = t.conn!;
    const s = t.socket;
    const push = (time: number, body: DistributiveOmit<CapturedEventBody, never>) => {
      out.push({ ...body, seq: this.nextSeq++, time, docId: this.docId, source: 'devtools' } as CapturedEvent);
    };
    if (!t.emitted.connecting) {
      t.emitted.connecting = true;
      push(s.startedAt, { kind: 'ws-connecting', conn, url: s.url, protocols: [] });
    }
    if (!t.emitted.open && s.status === 101) {
      t.emitted.open = true;
      push(s.messages[0] ? Math.min(s.messages[0].time, s.startedAt + (s.durationMs ?? 0)) : s.startedAt, {
        kind: 'ws-open',
        conn,
        protocol: '',
        extensions: '',
      });
    }
    for (; t.emitted.frames < s.messages.length; t.emitted.frames++) {
      const m = s.messages[t.emitted.frames];
      push(m.time, frameBody(conn, m));
    }
    if (!t.emitted.error && s.errored) {
      t.emitted.error = true;
      push(s.errorAt ?? s.startedAt, { kind: 'ws-error', conn });
    }
    if (!t.emitted.close && t.finished) {
      t.emitted.close = true;
      // DevTools' log has no close code or reason: code 0 (not a WebSocket close code) means
      // "not recorded", and the UI says so for DevTools-only sockets.
      const end = s.durationMs !== undefined ? s.startedAt + s.durationMs : (s.messages[s.messages.length - 1]?.time ?? s.startedAt);
      push(Math.max(end, s.errorAt ?? 0), { kind: 'ws-close', conn, code: 0, reason: '', wasClean: false });
    }
  }
}

/** A HAR message as a ws-frame body, cut to a preview over the store's frame cap like the content script does. */
export function frameBody(conn: ConnectionId, m: HarSocket['messages'][number]): DistributiveOmit<CapturedEventBody, never> {
  if (m.opcode === 'text') {
    const size = utf8Length(m.data);
    if (size > PAGE_LIMITS.maxFrameBytes) {
      return { kind: 'ws-frame', conn, dir: m.dir, opcode: 'text', text: m.data.slice(0, PAGE_LIMITS.framePreviewBytes), size, truncated: true };
    }
    return { kind: 'ws-frame', conn, dir: m.dir, opcode: 'text', text: m.data, size };
  }
  const size = base64Size(m.data);
  if (size > PAGE_LIMITS.maxFrameBytes) {
    const keep = Math.floor(PAGE_LIMITS.framePreviewBytes / 3) * 4;
    return { kind: 'ws-frame', conn, dir: m.dir, opcode: 'binary', base64: m.data.slice(0, keep), size, truncated: true };
  }
  return { kind: 'ws-frame', conn, dir: m.dir, opcode: 'binary', base64: m.data, size };
}
