import { describe, expect, it } from 'vitest';
import { PORT_PANEL, PROTOCOL_VERSION } from '../messages';
import { openPanelLink, type LinkState, type PortLike } from './link';

/** An in-memory runtime port: the test plays the background's side. */
class FakePort implements PortLike {
  posted: unknown[] = [];
  private messageListeners: Array<(m: unknown) => void> = [];
  private disconnectListeners: Array<() => void> = [];
  disconnected = false;
  postMessage(message: unknown) {
    if (this.disconnected) throw new Error('Attempting to use a disconnected port object');
    this.posted.push(message);
  }
  disconnect() {
    this.disconnected = true;
  }
  onMessage = { addListener: (l: (m: unknown) => void) => void this.messageListeners.push(l) };
  onDisconnect = { addListener: (l: () => void) => void this.disconnectListeners.push(l) };
  /** Background side. */
  deliver(message: unknown) {
    for (const l of this.messageListeners) l(message);
  }
  dropFromBackground() {
    this.disconnected = true;
    for (const l of this.disconnectListeners) l();
  }
}

function harness() {
  const ports: FakePort[] = [];
  const names: string[] = [];
  const received: unknown[] = [];
  const states: LinkState[] = [];
  const timers: Array<() => void> = [];
  let failNext = false;
  const link = openPanelLink({
    tabId: 42,
    connect: (name) => {
      names.push(name);
      if (failNext) throw new Error('Extension context invalidated.');
      const port = new FakePort();
      ports.push(port);
      return port;
    },
    onMessage: (m) => received.push(m),
    onState: (s) => states.push(s),
    setTimer: (fn) => timers.push(fn),
    clearTimer: () => undefined,
  });
  return { link, ports, names, received, states, timers, failNextConnect: () => (failNext = true) };
}

describe('openPanelLink', () => {
  it('connects on the panel port and subscribes to its tab', () => {
    const h = harness();
    expect(h.names).toEqual([PORT_PANEL]);
    expect(h.ports[0].posted).toEqual([{ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 42 }]);
    h.ports[0].deliver({ type: 'status' });
    expect(h.received).toEqual([{ type: 'status' }]);
  });

  it('reconnects and subscribes again when the service worker drops the port', () => {
    const h = harness();
    h.ports[0].dropFromBackground();
    expect(h.states.at(-1)).toEqual({ kind: 'reconnecting', attempt: 1 });
    h.timers.shift()!();
    expect(h.ports).toHaveLength(2);
    expect(h.ports[1].posted).toEqual([{ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 42 }]);
    h.ports[1].deliver({ type: 'snapshot' });
    expect(h.states.at(-1)).toEqual({ kind: 'connected' });
    // Sends go to the live port only.
    expect(h.link.send({ type: 'clear', tabId: 42 })).toBe(true);
    expect(h.ports[1].posted.at(-1)).toEqual({ type: 'clear', tabId: 42 });
  });

  it('ignores a stale port and stops when closed', () => {
    const h = harness();
    const old = h.ports[0];
    old.dropFromBackground();
    h.timers.shift()!();
    old.deliver({ type: 'late' });
    expect(h.received).toEqual([]);
    h.link.close();
    expect(h.ports[1].disconnected).toBe(true);
    h.ports[1].dropFromBackground();
    expect(h.timers).toHaveLength(0);
  });

  it('says plainly when the extension context is gone', () => {
    const h = harness();
    h.failNextConnect();
    h.ports[0].dropFromBackground();
    h.timers.shift()!();
    const last = h.states.at(-1);
    expect(last?.kind).toBe('broken');
    expect(last && 'message' in last ? last.message : '').toMatch(/close DevTools and open it again/);
  });
});
