// Test doubles for the transport: in-memory runtime ports and a manual clock. Used by unit tests
// only (nothing in the extension imports this module).

import type { PortLike } from './endpoint';

/**
 * A queue of deliveries shared by connected ports, flushed by the test: the test decides when
 * messages in flight arrive, so races (a clear between a snapshot request and its answer) can be
 * staged in any order. Ports without a wire deliver synchronously.
 */
export class Wire {
  private readonly queue: Array<() => void> = [];

  enqueue(delivery: () => void): void {
    this.queue.push(delivery);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Delivers what is queued, including what the deliveries post in turn, in order. */
  flush(limit = 100_000): void {
    for (let n = 0; this.queue.length; n++) {
      if (n >= limit) throw new Error('Wire.flush: messages keep coming (a loop?)');
      this.queue.shift()!();
    }
  }

  /** Delivers only the oldest message in flight. */
  step(): boolean {
    const next = this.queue.shift();
    next?.();
    return next !== undefined;
  }
}

/** One end of an in-memory runtime port. Posted messages are structured-cloned like a real port's. */
export class MemoryPort implements PortLike {
  /** What this end posted, in order. */
  readonly posted: any[] = [];
  peer?: MemoryPort;
  closed = false;
  private readonly messageListeners: Array<(message: unknown) => void> = [];
  private readonly disconnectListeners: Array<() => void> = [];

  constructor(private readonly wire?: Wire) {}

  /**
   * Like Chromium's runtime ports, refuse a message whose JSON exceeds this many UTF-8 bytes
   * (Chromium: 64 MiB) by throwing, the port staying open. Off unless a test sets it.
   */
  maxMessageBytes?: number;
  /** Throw on the next post as a port that died mid-post does (the port stays open). */
  failNextPost = false;

  postMessage(message: unknown): void {
    if (this.closed) throw new Error('Attempting to use a disconnected port object');
    if (this.failNextPost) {
      this.failNextPost = false;
      throw new Error('Could not establish connection. Receiving end does not exist.');
    }
    if (this.maxMessageBytes !== undefined && Buffer.byteLength(JSON.stringify(message), 'utf8') > this.maxMessageBytes) {
      throw new Error('Message length exceeded maximum allowed length.');
    }
    const copy = structuredClone(message);
    this.posted.push(copy);
    const peer = this.peer;
    if (peer) this.later(() => peer.deliver(copy));
  }

  disconnect(): void {
    if (this.closed) return;
    this.closed = true;
    const peer = this.peer;
    if (peer) this.later(() => peer.drop());
  }

  onMessage = { addListener: (listener: (message: unknown) => void) => void this.messageListeners.push(listener) };
  onDisconnect = { addListener: (listener: () => void) => void this.disconnectListeners.push(listener) };

  /** A message arrives at this end (from its peer, or injected by a test). */
  deliver(message: unknown): void {
    if (this.closed) return;
    for (const listener of [...this.messageListeners]) listener(message);
  }

  /** The other side went away: this end's onDisconnect listeners run. */
  drop(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of [...this.disconnectListeners]) listener();
  }

  /** Messages this end posted with the given type. */
  ofType(type: string): any[] {
    return this.posted.filter((m) => m && m.type === type);
  }

  private later(delivery: () => void): void {
    if (this.wire) this.wire.enqueue(delivery);
    else delivery();
  }
}

/** Two connected ends: what one posts, the other receives (through `wire` when given). */
export function portPair(wire?: Wire): [MemoryPort, MemoryPort] {
  const a = new MemoryPort(wire);
  const b = new MemoryPort(wire);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** A manual clock for timer-driven code (setTimer / clearTimer / now injected). */
export class FakeClock {
  now = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;

  readonly setTimer = (fn: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now + Math.max(0, ms), fn });
    return id;
  };

  readonly clearTimer = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves the clock forward, running due timers in time order (and timers they set, when due). */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = end;
  }
}
