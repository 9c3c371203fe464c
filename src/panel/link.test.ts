import { describe, expect, it } from 'vitest';
import { PORT_PANEL, PROTOCOL_VERSION, type BackgroundToPanel } from '../messages';
import { MemoryPort } from '../transport/testing';
import { openPanelLink, type LinkState } from './link';

const status: BackgroundToPanel = { type: 'status', v: PROTOCOL_VERSION, tabId: 42, status: 'capturing' };
const snapshot: BackgroundToPanel = {
  type: 'snapshot',
  snapshot: {
    doc: { docId: 'd', url: 'https://app.test/', isTop: true, startedAt: 1 },
    events: [],
    stats: { events: 0, bytes: 0, droppedEvents: 0, droppedBytes: 0, truncatedFrames: 0, otherSockets: 0, rejected: 0 },
  },
};

function harness() {
  const ports: MemoryPort[] = [];
  const names: string[] = [];
  const received: unknown[] = [];
  const invalid: Array<{ reason: string; message: unknown }> = [];
  const states: LinkState[] = [];
  const timers: Array<() => void> = [];
  let failNext = false;
  let deadNext = false;
  const link = openPanelLink({
    tabId: 42,
    connect: (name) => {
      names.push(name);
      if (failNext) throw new Error('Extension context invalidated.');
      const port = new MemoryPort();
      port.closed = deadNext;
      deadNext = false;
      ports.push(port);
      return port;
    },
    onMessage: (m) => received.push(m),
    onInvalid: (reason, message) => invalid.push({ reason, message }),
    onState: (s) => states.push(s),
    setTimer: (fn) => timers.push(fn),
    clearTimer: () => undefined,
  });
  return { link, ports, names, received, invalid, states, timers, failNextConnect: () => (failNext = true), deadOnArrival: () => (deadNext = true) };
}

describe('openPanelLink', () => {
  it('connects on the panel port and subscribes to its tab', () => {
    const h = harness();
    expect(h.names).toEqual([PORT_PANEL]);
    expect(h.ports[0].posted).toEqual([{ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 42 }]);
    h.ports[0].deliver(status);
    expect(h.received).toEqual([status]);
  });

  it('reconnects and subscribes again when the service worker drops the port', () => {
    const h = harness();
    h.ports[0].drop();
    expect(h.states.at(-1)).toEqual({ kind: 'reconnecting', attempt: 1 });
    h.timers.shift()!();
    expect(h.ports).toHaveLength(2);
    expect(h.ports[1].posted).toEqual([{ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 42 }]);
    h.ports[1].deliver(snapshot);
    expect(h.states.at(-1)).toEqual({ kind: 'connected' });
    // Sends go to the live port only.
    expect(h.link.send({ type: 'clear', tabId: 42 })).toBe(true);
    expect(h.ports[1].posted.at(-1)).toEqual({ type: 'clear', tabId: 42 });
  });

  it('ignores a stale port and stops when closed', () => {
    const h = harness();
    const old = h.ports[0];
    old.drop();
    h.timers.shift()!();
    old.deliver(status);
    expect(h.received).toEqual([]);
    h.link.close();
    expect(h.ports[1].closed).toBe(true);
    h.ports[1].drop();
    expect(h.timers).toHaveLength(0);
  });

  it('says plainly when the extension context is gone', () => {
    const h = harness();
    h.failNextConnect();
    h.ports[0].drop();
    h.timers.shift()!();
    const last = h.states.at(-1);
    expect(last?.kind).toBe('broken');
    expect(last && 'message' in last ? last.message : '').toMatch(/close DevTools and open it again/);
  });

  it('delivers only valid messages; the rest are counted and reported with the message as received', () => {
    const h = harness();
    const junk = [{ type: 'status' }, { ...status, v: PROTOCOL_VERSION + 1 }, { type: 'events', docId: 'd', events: [{ kind: 'ws-open' }], stats: {} }, 'status', null];
    for (const m of junk) h.ports[0].deliver(m);
    expect(h.received).toEqual([]);
    expect(h.link.rejected).toBe(junk.length);
    expect(h.invalid.map((i) => i.message)).toEqual(junk);
    expect(h.invalid[1].reason).toBe(`status has protocol version ${PROTOCOL_VERSION + 1}, expected ${PROTOCOL_VERSION}`);
    expect(h.invalid[2].reason).toBe('events: events[0].docId is not a string');
  });

  it('takes any message, even a refused one, as a sign the background is back', () => {
    const h = harness();
    h.ports[0].drop();
    h.timers.shift()!();
    h.ports[1].deliver({ ...status, v: PROTOCOL_VERSION + 1 });
    expect(h.states.at(-1)).toEqual({ kind: 'connected' });
  });

  it('retries when the subscription cannot be posted', () => {
    const h = harness();
    h.deadOnArrival();
    h.ports[0].drop();
    h.timers.shift()!();
    // The new port is dead on arrival: its post throws, and the link schedules another attempt.
    expect(h.ports).toHaveLength(2);
    expect(h.states.at(-1)).toEqual({ kind: 'reconnecting', attempt: 2 });
    expect(h.timers).toHaveLength(1);
  });
});
