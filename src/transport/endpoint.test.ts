import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type PanelToBackground } from '../messages';
import { backgroundPanelEndpoint, contentEndpoint, panelEndpoint } from './endpoint';
import { BACKGROUND_TO_PANEL } from './schemas';
import { MemoryPort, portPair } from './testing';
import { VERSION, describe as describeValue, integer, validateMessage, type MessageSchema } from './validate';

describe('endpoint', () => {
  it('sends typed messages and hands each valid incoming message to the handlers of its type', () => {
    const [panelPort, workerPort] = portPair();
    const panel = panelEndpoint(panelPort);
    const worker = backgroundPanelEndpoint(workerPort);
    const subscribed: number[] = [];
    const all: string[] = [];
    worker.on('subscribe', (m) => subscribed.push(m.tabId));
    worker.onAny((m) => all.push(m.type));
    expect(panel.send({ type: 'subscribe', v: PROTOCOL_VERSION, tabId: 7 })).toBe(true);
    expect(panel.send({ type: 'clear', tabId: 7 })).toBe(true);
    expect(subscribed).toEqual([7]);
    expect(all).toEqual(['subscribe', 'clear']);
    expect(worker.rejected).toBe(0);
  });

  it('counts and reports a malformed message, which reaches no handler', () => {
    const port = new MemoryPort();
    const content = contentEndpoint(port);
    const handled: unknown[] = [];
    const reasons: string[] = [];
    content.on('stream', (m) => handled.push(m));
    content.onAny((m) => handled.push(m));
    content.onInvalid((r) => reasons.push(r.reason));
    for (const m of [{ type: 'stream' }, { type: 'stream', on: 1 }, { type: 'stream', on: true, extra: 1 }, { type: 'reload' }, [], 'stream', undefined])
      port.deliver(m);
    expect(handled).toEqual([]);
    expect(content.rejected).toBe(7);
    expect(reasons).toEqual([
      'stream: on is not a boolean',
      'stream: on is not a boolean',
      'stream: unexpected field "extra"',
      'unknown message type "reload"',
      'a message is an array, not an object with a type',
      'a message is "stream", not an object with a type',
      'a message is undefined, not an object with a type',
    ]);
  });

  it('tells a peer of another protocol version apart from a malformed message', () => {
    const port = new MemoryPort();
    const worker = backgroundPanelEndpoint(port);
    const rejections: Array<{ reason: string; peerVersion?: number }> = [];
    worker.onInvalid(({ reason, peerVersion }) => rejections.push({ reason, peerVersion }));
    // Checked before the shape: a newer peer's subscribe may look different.
    port.deliver({ type: 'subscribe', v: PROTOCOL_VERSION + 1, tab: 'x' });
    port.deliver({ type: 'subscribe', v: 'one', tabId: 1 });
    port.deliver({ type: 'subscribe', tabId: 1 });
    expect(rejections).toEqual([
      { reason: `subscribe has protocol version ${PROTOCOL_VERSION + 1}, expected ${PROTOCOL_VERSION}`, peerVersion: PROTOCOL_VERSION + 1 },
      { reason: 'subscribe: v is not a protocol version number', peerVersion: undefined },
      { reason: 'subscribe: v is not a protocol version number', peerVersion: undefined },
    ]);
  });

  it('treats a post that throws as a lost port: closed, its disconnect handlers run once', () => {
    const port = new MemoryPort();
    const panel = panelEndpoint(port);
    let disconnects = 0;
    panel.onDisconnect(() => disconnects++);
    port.closed = true;
    expect(panel.send({ type: 'clear', tabId: 1 })).toBe(false);
    expect(panel.open).toBe(false);
    port.closed = false;
    port.drop();
    expect(disconnects).toBe(1);
    expect(panel.send({ type: 'clear', tabId: 1 })).toBe(false);
  });

  it('disconnects from its side without running its own disconnect handlers, and hears nothing after', () => {
    const [a, b] = portPair();
    const panel = panelEndpoint(a);
    const handled: unknown[] = [];
    let disconnects = 0;
    panel.onAny((m) => handled.push(m));
    panel.onDisconnect(() => disconnects++);
    panel.disconnect();
    expect(b.closed).toBe(true);
    a.deliver({ type: 'problem', message: 'late' });
    expect(handled).toEqual([]);
    expect(disconnects).toBe(0);
  });
});

describe('validateMessage', () => {
  it('checks nested records and arrays on the fields receivers read, and names the path', () => {
    const stats = { events: 0, bytes: 0, droppedEvents: 0, droppedBytes: 0, truncatedFrames: 0, otherSockets: 0, rejected: 0 };
    const event = { kind: 'ws-open', docId: 'd', seq: 1, time: 5, source: 'page', conn: 'd:1', protocol: '', extensions: '' };
    const ok = validateMessage(BACKGROUND_TO_PANEL, { type: 'events', docId: 'd', events: [event], stats });
    expect(ok.ok).toBe(true);
    const bad = (m: unknown) => {
      const r = validateMessage(BACKGROUND_TO_PANEL, m);
      return r.ok ? 'accepted' : r.reason;
    };
    expect(bad({ type: 'events', docId: 'd', events: [event, { ...event, seq: 1.5 }], stats })).toBe('events: events[1].seq is not an integer');
    expect(bad({ type: 'events', docId: 'd', events: [event], stats: { ...stats, bytes: -1 } })).toBe('events: stats.bytes is not a count');
    expect(bad({ type: 'status', v: PROTOCOL_VERSION, tabId: 1, status: 'capturing', documents: [{ docId: 'd', url: 'u', isTop: 'yes', startedAt: 1 }] })).toBe(
      'status: documents[0].isTop is not a boolean',
    );
    expect(bad({ type: 'status', v: PROTOCOL_VERSION, tabId: 1, status: 'paused' })).toBe('status: status is not one of capturing|not-capturing|restricted');
  });

  it('never throws and never calls into the value it describes', () => {
    const hostile: unknown[] = [
      { type: { toString: 1 } },
      { type: 'events', docId: Symbol('x') },
      Object.create(null),
      { type: 'navigated', get url(): string {
        throw new Error('boom');
      }, tabId: 1 },
      { __proto__: { type: 'problem', message: 'inherited' } },
    ];
    for (const m of hostile) expect(validateMessage(BACKGROUND_TO_PANEL, m).ok).toBe(false);
    expect(describeValue({ toString: 1 })).toBe('an object');
    expect(describeValue(Symbol('x'))).toBe('a symbol');
  });

  it('is exhaustive by type: a message field without a check does not compile', () => {
    // @ts-expect-error `subscribe` lacks the check of its `tabId`.
    const missing: MessageSchema<PanelToBackground> = { subscribe: { v: VERSION }, clear: { tabId: integer }, 'reload-and-capture': { tabId: integer } };
    // @ts-expect-error `clear` has no field `docId`.
    const extra: MessageSchema<PanelToBackground> = { subscribe: { v: VERSION, tabId: integer }, clear: { tabId: integer, docId: integer }, 'reload-and-capture': { tabId: integer } };
    expect([missing, extra]).toHaveLength(2);
  });
});
