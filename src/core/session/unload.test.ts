import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../model';
import { Session } from './session';
import { docIdOfConnection, DocumentUnloads, unloadLookup } from './unload';
import { channelPhaseDisplay, connectionDisplay } from './views';
import { EMPTY_STATS, TestDoc, URL_V2 } from './test-doc';

const stats = EMPTY_STATS;
const TOPIC = 'realtime:room1';

class Doc extends TestDoc {
  /** An opened socket with a joined channel: what the tracker holds open. */
  joined(conn = 1): CapturedEvent[] {
    return [
      this.ev({ kind: 'ws-connecting', conn: `${this.docId}:${conn}`, url: URL_V2, protocols: [] }),
      this.ev({ kind: 'ws-open', conn: `${this.docId}:${conn}`, protocol: '', extensions: '' }),
      this.text('sent', ['1', '1', TOPIC, 'phx_join', { config: {}, access_token: 'eyJ.x.y' }], conn),
      this.text('received', ['1', '1', TOPIC, 'phx_reply', { status: 'ok', response: {} }], conn),
    ];
  }
  pagehide(persisted = false): CapturedEvent {
    return this.ev({ kind: 'lifecycle', change: 'pagehide', persisted });
  }
  pageshow(): CapturedEvent {
    return this.ev({ kind: 'lifecycle', change: 'pageshow', persisted: true });
  }
}

function snapshotOf(d: Doc, events: CapturedEvent[], isTop = true) {
  return { type: 'snapshot', snapshot: { doc: { docId: d.docId, url: `https://app.example/${d.docId}`, isTop, startedAt: 0 }, events, stats } };
}
const live = (d: Doc, events: CapturedEvent[]) => ({ type: 'events', docId: d.docId, events, stats });

/** What the Connections and Channels views would show, through the real model and tracker. */
function shown(model: Session) {
  const session = model.realtime();
  const lookup = model.snapshot().unloads;
  const byConn = new Map(session.connections.map((c) => [c.conn, c]));
  return {
    connections: session.connections.map((c) => ({ conn: c.conn, ...connectionDisplay(c, lookup) })),
    channels: session.channels.map((ch) => ({ conn: ch.key.conn, ...channelPhaseDisplay(ch, byConn.get(ch.key.conn), lookup) })),
  };
}

describe('sockets of a document that went away (pagehide)', () => {
  it('shows an open socket and its joined channel closed "page unloaded" at the pagehide time, with no close code', () => {
    const model = new Session({ tabId: 1 });
    const a = new Doc('aaaa');
    model.apply(snapshotOf(a, a.joined()));
    expect(shown(model).connections[0].state).toBe('open');
    expect(shown(model).channels[0]).toMatchObject({ phase: 'joined', label: 'joined' });

    const hide = a.pagehide();
    model.apply(live(a, [hide]));
    const { connections, channels } = shown(model);
    expect(connections[0]).toMatchObject({ state: 'closed', unload: { cause: 'page-unloaded', time: hide.time, docId: 'aaaa' } });
    // The tracker's record is untouched: no close was invented.
    expect(model.realtime().connections[0].close).toBeUndefined();
    expect(channels[0]).toMatchObject({ phase: 'closed', label: 'closed (page unloaded)', closedBy: 'page-unloaded' });
  });

  it('leaves the next document’s socket open and closes only the old one (navigation with preserved log)', () => {
    const model = new Session({ tabId: 1 });
    const a = new Doc('aaaa');
    const b = new Doc('bbbb');
    model.apply(snapshotOf(a, a.joined()));
    model.apply(live(a, [a.pagehide()]));
    model.apply({ type: 'navigated', tabId: 1, url: 'https://app.example/bbbb' });
    model.apply(snapshotOf(b, b.joined()));
    const states = Object.fromEntries(shown(model).connections.map((c) => [c.conn, c.state]));
    expect(states).toEqual({ 'aaaa:1': 'closed', 'bbbb:1': 'open' });
    const phases = Object.fromEntries(shown(model).channels.map((c) => [c.conn, c.phase]));
    expect(phases).toEqual({ 'aaaa:1': 'closed', 'bbbb:1': 'joined' });
  });

  it('keeps a socket’s own close (code and reason) when it closed before the page went away', () => {
    const model = new Session({ tabId: 1 });
    const a = new Doc('aaaa');
    model.apply(
      snapshotOf(a, [...a.joined(), a.ev({ kind: 'ws-close', conn: 'aaaa:1', code: 1000, reason: 'bye', wasClean: true }), a.pagehide()]),
    );
    const [c] = shown(model).connections;
    expect(c.state).toBe('closed');
    expect(c.unload).toBeUndefined();
    expect(model.realtime().connections[0].close).toMatchObject({ code: 1000, reason: 'bye' });
  });

  it('keeps a refused upgrade refused, and closes a socket still connecting', () => {
    const model = new Session({ tabId: 1 });
    const a = new Doc('aaaa');
    model.apply(
      snapshotOf(a, [
        a.ev({ kind: 'ws-connecting', conn: 'aaaa:1', url: URL_V2, protocols: [] }),
        a.ev({ kind: 'ws-close', conn: 'aaaa:1', code: 1006, reason: '', wasClean: false }),
        a.ev({ kind: 'ws-connecting', conn: 'aaaa:2', url: URL_V2, protocols: [] }),
        a.pagehide(),
      ]),
    );
    const states = Object.fromEntries(shown(model).connections.map((c) => [c.conn, [c.state, c.unload?.cause]]));
    expect(states).toEqual({ 'aaaa:1': ['refused', undefined], 'aaaa:2': ['closed', 'page-unloaded'] });
  });

  it('says "page in back/forward cache" for a persisted pagehide, undone by the pageshow that restores it', () => {
    const model = new Session({ tabId: 1 });
    const a = new Doc('aaaa');
    model.apply(snapshotOf(a, a.joined()));
    model.apply(live(a, [a.pagehide(true)]));
    expect(shown(model).connections[0]).toMatchObject({ state: 'closed', unload: { cause: 'bfcache' } });
    expect(shown(model).channels[0]).toMatchObject({ label: 'closed (page in back/forward cache)', closedBy: 'bfcache' });

    model.apply(live(a, [a.pageshow()]));
    expect(shown(model).connections[0]).toEqual({ conn: 'aaaa:1', state: 'open' });
    expect(shown(model).channels[0].phase).toBe('joined');

    // Leaving for good later counts again.
    model.apply(live(a, [a.pagehide(false)]));
    expect(shown(model).connections[0].unload?.cause).toBe('page-unloaded');
  });

  it('a pagehide of an iframe’s document closes only that frame’s sockets', () => {
    const model = new Session({ tabId: 1 });
    const top = new Doc('top1');
    const frame = new Doc('frm2');
    model.apply(snapshotOf(top, top.joined()));
    model.apply(snapshotOf(frame, frame.joined(), false));
    model.apply(live(frame, [frame.pagehide()]));
    const states = Object.fromEntries(shown(model).connections.map((c) => [c.conn, c.state]));
    expect(states).toEqual({ 'top1:1': 'open', 'frm2:1': 'closed' });
  });

  it('survives a rebuild (late snapshot reordering) and is forgotten with Clear', () => {
    const model = new Session({ tabId: 1 });
    const a = new Doc('aaaa');
    const events = [...a.joined(), a.pagehide()];
    // Live deltas first, then the snapshot with the earlier events: the model rebuilds.
    model.apply(live(a, events.slice(3)));
    model.apply(snapshotOf(a, events));
    expect(model.rebuilds).toBeGreaterThan(0);
    expect(shown(model).connections[0]).toMatchObject({ state: 'closed', unload: { cause: 'page-unloaded' } });
    model.clear();
    expect(model.snapshot().unloads('aaaa:1')).toBeUndefined();
  });

  it('ignores lifecycle changes other than pagehide/pageshow and stale copies', () => {
    const a = new Doc('aaaa');
    const unloads = new DocumentUnloads();
    const hide = a.pagehide();
    const show = a.pageshow();
    unloads.noteAll([a.ev({ kind: 'lifecycle', change: 'hidden' }), hide, show, a.ev({ kind: 'lifecycle', change: 'freeze' })]);
    expect(unloads.of('aaaa')).toBeUndefined();
    unloads.note(hide); // an older copy arriving again must not undo the pageshow
    expect(unloads.of('aaaa')).toBeUndefined();
  });

  it('maps a connection to its document by the docId prefix only', () => {
    expect(docIdOfConnection('abc:1', ['ab', 'abc'])).toBe('abc');
    expect(docIdOfConnection('abcd:1', ['abc'])).toBeUndefined();
    const lookup = unloadLookup([{ docId: 'abc', cause: 'page-unloaded', time: 5, seq: 9 }]);
    expect(lookup('abc:7')?.time).toBe(5);
    expect(lookup('abcd:7')).toBeUndefined();
  });

  it('does not close a socket created after the pagehide time', () => {
    const record = { conn: 'aaaa:3', createdAt: 100, errored: false, refused: false } as Parameters<typeof connectionDisplay>[0];
    const lookup = unloadLookup([{ docId: 'aaaa', cause: 'page-unloaded', time: 50, seq: 9 }]);
    expect(connectionDisplay({ ...record, openedAt: 110 }, lookup)).toEqual({ state: 'open' });
    expect(connectionDisplay({ ...record, createdAt: 40, openedAt: 45 }, lookup).state).toBe('closed');
  });
});
