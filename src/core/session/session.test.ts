import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../model';
import { PROTOCOL_VERSION, type StoreStats } from '../../messages';
import { Session } from './session';
import { maskApikeyInUrl, maskSecret } from './masking';
import { connectionState, frameList, httpList, refusedExplanation } from './views';
import { EMPTY_STATS, TestDoc, URL_V2 } from './test-doc';

const stats = EMPTY_STATS;
class Doc extends TestDoc {}

/** realtime-facts §1.4 kind 3 (user_broadcast_push), JSON-encoded user payload. */
function kind3(joinRef: string, ref: string, topic: string, event: string, payload: unknown): string {
  const json = Buffer.from(JSON.stringify(payload));
  const head = Buffer.from([3, joinRef.length, ref.length, topic.length, event.length, 0, 1]);
  return Buffer.concat([head, Buffer.from(joinRef + ref + topic + event), json]).toString('base64');
}

function session(d: Doc) {
  const topic = 'realtime:room1';
  return [
    d.ev({ kind: 'ws-connecting', conn: `${d.docId}:1`, url: URL_V2, protocols: [] }),
    d.ev({ kind: 'ws-open', conn: `${d.docId}:1`, protocol: '', extensions: '' }),
    d.text('sent', ['1', '1', topic, 'phx_join', { config: { broadcast: { ack: false, self: false } }, access_token: 'eyJ.x.y' }]),
    d.text('received', ['1', '1', topic, 'phx_reply', { status: 'ok', response: { postgres_changes: [] } }]),
    d.ev({ kind: 'ws-frame', conn: `${d.docId}:1`, dir: 'sent', opcode: 'binary', base64: kind3('1', '2', topic, 'cursor-move', { x: 42, label: 'Needle' }), size: 60 }),
    d.text('sent', [null, '3', 'phoenix', 'heartbeat', {}]),
    d.text('received', [null, '3', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]),
    d.text('received', [null, null, topic, 'broadcast', { type: 'broadcast', event: 'chat', payload: { text: 'hello' } }]),
  ];
}

function snapshotOf(docId: string, events: CapturedEvent[], extra: Partial<StoreStats> = {}) {
  return { type: 'snapshot', snapshot: { doc: { docId, url: 'https://app.example/', isTop: true, startedAt: 0 }, events, stats: { ...stats, ...extra } } };
}

describe('Session', () => {
  it('turns a snapshot into connections, channels and a decoded frame list', () => {
    const model = new Session({ tabId: 3 });
    model.apply({ type: 'status', v: PROTOCOL_VERSION, tabId: 3, status: 'capturing' });
    model.apply(snapshotOf('A', session(new Doc('A'))));
    const s = model.realtime();
    expect(s.connections).toHaveLength(1);
    expect(connectionState(s.connections[0])).toBe('open');
    expect(s.channels.map((c) => [c.key.topic, c.phase, c.attempts[0].reply?.status])).toEqual([['realtime:room1', 'joined', 'ok']]);

    const all = frameList(model.log.rows, model.catalog, { text: '', showHeartbeats: true });
    const frames = all.items.filter((i) => i.kind === 'frame');
    expect(frames.map((i) => (i.kind === 'frame' ? model.catalog.describe(i.event).event : ''))).toEqual([
      'phx_join',
      'phx_reply ok',
      'broadcast · cursor-move',
      'heartbeat',
      'phx_reply ok',
      'broadcast · chat',
    ]);
    // The socket's opening and opened lines are part of the timeline when not searching.
    expect(all.items.filter((i) => i.kind === 'socket')).toHaveLength(2);
  });

  it('says when something that can change a finding arrived since the engine last ran, and not for bulk traffic', async () => {
    const d = new Doc('A');
    const model = new Session({ tabId: 3 });
    const topic = 'realtime:room1';
    const all = session(d);
    const live = (events: CapturedEvent[]) => model.apply({ type: 'events', v: PROTOCOL_VERSION, docId: 'A', events, stats: { ...stats, lastSeq: events.at(-1)!.seq } });
    live(all);
    expect(model.newEvidence()).toBe(true);
    await model.analyse(Date.now());
    expect(model.newEvidence()).toBe(false);
    // Broadcasts and heartbeats: the panel keeps its once-a-second pace.
    live([d.text('received', [null, null, topic, 'broadcast', { type: 'broadcast', event: 'chat', payload: {} }]), d.text('sent', [null, '9', 'phoenix', 'heartbeat', {}])]);
    expect(model.newEvidence()).toBe(false);
    // A server's error: the engine runs at once.
    live([d.text('received', [null, null, topic, 'system', { status: 'error', message: 'Token has expired 3 seconds ago', extension: 'system', channel: 'room1' }])]);
    expect(model.newEvidence()).toBe(true);
  });

  it('hides heartbeats with the toggle and counts them', () => {
    const model = new Session({ tabId: 3 });
    model.apply(snapshotOf('A', session(new Doc('A'))));
    const list = frameList(model.log.rows, model.catalog, { text: '', showHeartbeats: false });
    expect(list.hiddenHeartbeats).toBe(2);
    expect(list.matchingFrames).toBe(4);
    expect(list.totalFrames).toBe(6);
  });

  it('filters over topic, event and payload, binary broadcasts included, case-insensitively', () => {
    const model = new Session({ tabId: 3 });
    model.apply(snapshotOf('A', session(new Doc('A'))));
    const eventsOf = (text: string) =>
      frameList(model.log.rows, model.catalog, { text, showHeartbeats: true }).items.map((i) =>
        i.kind === 'frame' ? model.catalog.describe(i.event).event : i.kind,
      );
    expect(eventsOf('needle')).toEqual(['broadcast · cursor-move']); // inside a binary kind-3 payload
    expect(eventsOf('HELLO')).toEqual(['broadcast · chat']);
    expect(eventsOf('phx_join')).toEqual(['phx_join']);
    expect(eventsOf('no such thing')).toEqual([]);
  });

  it('filters 100,000 frames and keeps the matching ones, in order', () => {
    const d = new Doc('A');
    const events = session(d);
    for (let i = 0; i < 100_000; i++) {
      events.push(d.text('received', [null, null, 'realtime:room1', 'broadcast', { type: 'broadcast', event: 'tick', payload: { i } }]));
    }
    const model = new Session({ tabId: 3 });
    model.apply(snapshotOf('A', events));
    const list = frameList(model.log.rows, model.catalog, { text: '"i":9999', showHeartbeats: false });
    // "i":9999 and "i":99990..99999
    expect(list.matchingFrames).toBe(11);
    expect(list.totalFrames).toBe(100_006);
  });

  it('keeps the join that explains a failure when a flood overflows the panel, and counts the drops', () => {
    const d = new Doc('A');
    const model = new Session({ tabId: 3, maxEvents: 1_000 });
    model.apply(snapshotOf('A', session(d)));
    const flood: CapturedEvent[] = [];
    for (let i = 0; i < 2_000; i++) flood.push(d.text('received', [null, null, 'realtime:room1', 'broadcast', { type: 'broadcast', event: 'tick', payload: { i } }]));
    flood.push(d.text('received', ['1', null, 'realtime:room1', 'system', { status: 'error', message: 'Token has expired 3 seconds ago', extension: 'system' }]));
    model.apply({ type: 'events', docId: 'A', events: flood, stats });
    expect(model.log.eventCount).toBeLessThanOrEqual(1_000);
    expect(model.log.drops().panelDroppedEvents).toBeGreaterThan(1_000);
    const labels = frameList(model.log.rows, model.catalog, { text: '', showHeartbeats: true }).items.map((i) =>
      i.kind === 'frame' ? model.catalog.describe(i.event).event : i.kind,
    );
    expect(labels).toContain('phx_join');
    expect(labels).toContain('system');
    expect(labels).not.toContain('heartbeat'); // bulk went first
    // The tracker still knows the channel and its attempt.
    expect(model.realtime().channels[0].attempts).toHaveLength(1);
  });

  it('bounds the Realtime tracker like its own copy: a long session does not keep every frame record', () => {
    const d = new Doc('A');
    const model = new Session({ tabId: 3, maxEvents: 1_000 });
    model.apply(snapshotOf('A', session(d)));
    for (let batch = 0; batch < 10; batch++) {
      const flood: CapturedEvent[] = [];
      for (let i = 0; i < 1_000; i++) flood.push(d.text('received', [null, null, 'realtime:room1', 'broadcast', { type: 'broadcast', event: 'tick', payload: { i } }]));
      model.apply({ type: 'events', docId: 'A', events: flood, stats });
    }
    const s = model.realtime();
    // 10,006 frames went through; the tracker keeps about the panel's bound (plus its batch slack).
    expect(s.frames.length).toBeLessThanOrEqual(1_250);
    expect(s.framesForgotten).toBeGreaterThan(8_000);
    // What it learned stays: the channel, its join attempt, the frame counts.
    expect(s.channels[0].attempts).toHaveLength(1);
    expect(s.connections[0].framesReceived).toBe(10_003);
    // Frames still held by the panel keep their decoded facts.
    const last = model.log.rows[model.log.rows.length - 1];
    expect(last.kind === 'ws-frame' && model.catalog.describe(last).event).toBe('broadcast · tick');
  });

  it('rebuilds the channels from what it holds after Clear', () => {
    const model = new Session({ tabId: 3 });
    model.apply(snapshotOf('A', session(new Doc('A'))));
    model.clear();
    expect(model.realtime().channels).toHaveLength(0);
    expect(frameList(model.log.rows, model.catalog, { text: '', showHeartbeats: true }).items).toEqual([]);
  });

  it('shows an undecodable frame with its reason instead of dropping it', () => {
    const d = new Doc('A');
    const model = new Session({ tabId: 3 });
    const events = session(d);
    events.push(d.ev({ kind: 'ws-frame', conn: 'A:1', dir: 'received', opcode: 'text', text: 'not json <b>', size: 12 }));
    model.apply(snapshotOf('A', events));
    const items = frameList(model.log.rows, model.catalog, { text: '<b>', showHeartbeats: true }).items;
    expect(items).toHaveLength(1);
    const s = items[0].kind === 'frame' ? model.catalog.describe(items[0].event) : undefined;
    expect(items[0].kind === 'frame' && model.catalog.facts(items[0].event).decoded).toBe(false);
    expect(s?.summary).toMatch(/not JSON/);
  });
});

describe('refused connections', () => {
  it('says a refused upgrade has no status in Chromium and never claims a body', () => {
    const d = new Doc('A');
    const model = new Session({ tabId: 3 });
    model.apply(
      snapshotOf('A', [
        d.ev({ kind: 'ws-connecting', conn: 'A:1', url: URL_V2, protocols: [] }),
        d.ev({ kind: 'net', url: URL_V2, resourceType: 'websocket', method: 'GET', error: 'net::ERR_FAILED' }),
        d.ev({ kind: 'ws-error', conn: 'A:1' }),
        d.ev({ kind: 'ws-close', conn: 'A:1', code: 1006, reason: '', wasClean: false }),
      ]),
    );
    const [record] = model.realtime().connections;
    expect(connectionState(record)).toBe('refused');
    const text = refusedExplanation(record);
    expect(text).toMatch(/does not expose the status of a refused WebSocket upgrade \(Chromium reports net::ERR_FAILED\)/);
    expect(text).toMatch(/body is not available/);
    expect(text).toMatch(/reported only net::ERR_FAILED/);
  });

  it('gives the status when the network layer reported one', () => {
    const text = refusedExplanation({
      conn: 'A:1', url: URL_V2, vsn: '2.0.0', createdAt: 0, errored: true, refused: true,
      upgrade: { status: 401 }, framesSent: 0, framesReceived: 0, undecodable: 0,
    });
    expect(text).toMatch(/HTTP 401/);
  });
});

describe('view helpers', () => {
  it('pairs HTTP requests with their responses per document and lists network observations', () => {
    const a = new Doc('A');
    const b = new Doc('B');
    const rows = [
      a.ev({ kind: 'http-request', req: 'r1', method: 'POST', url: 'https://x.supabase.co/auth/v1/token?grant_type=refresh_token', headers: { apikey: 'k' }, api: 'fetch' }),
      b.ev({ kind: 'http-request', req: 'r1', method: 'GET', url: 'https://x.supabase.co/rest/v1/todos', headers: {}, api: 'xhr' }),
      a.ev({ kind: 'http-response', req: 'r1', status: 400, errorBody: '{"code":"refresh_token_already_used"}' }),
      a.ev({ kind: 'net', url: 'https://x.supabase.co/rest/v1/todos', resourceType: 'xhr', method: 'GET', status: 200, date: 'Tue, 01 Dec 2026 10:00:00 GMT' }),
    ];
    const items = httpList(rows);
    expect(items.map((i) => (i.kind === 'call' ? `${i.call.method} ${i.call.response?.status ?? '…'}` : `net ${i.event.status}`))).toEqual([
      'POST 400',
      'GET …',
      'net 200',
    ]);
  });

  it('masks API keys in socket URLs by default', () => {
    const masked = maskApikeyInUrl(URL_V2);
    expect(masked).not.toContain('0123456789abcdef');
    expect(masked).toContain('apikey=sb_publishable_…(');
    expect(masked).toContain('&vsn=2.0.0');
    expect(maskSecret('short')).toBe('•••••');
  });

});
