import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../messages';
import type { CapturedEvent } from '../model';
import { lastServerError, postgresChangesStatus } from './channel-view';
import { Session } from './session';
import { EMPTY_STATS, TestDoc, URL_V2 } from './test-doc';

const ROOM = 'realtime:room1';

function channelOf(build: (d: TestDoc) => CapturedEvent[]) {
  const session = new Session({ tabId: 1 });
  session.apply({ type: 'status', v: PROTOCOL_VERSION, tabId: 1, status: 'capturing' });
  const d = new TestDoc('A');
  const events = [d.ev({ kind: 'ws-connecting', conn: 'A:1', url: URL_V2, protocols: [] }), d.ev({ kind: 'ws-open', conn: 'A:1', protocol: '', extensions: '' }), ...build(d)];
  session.apply({ type: 'snapshot', snapshot: { doc: { docId: 'A', url: 'https://app.example/', isTop: true, startedAt: 0 }, events, stats: EMPTY_STATS } });
  return session.snapshot().channels[0];
}

const pgJoin = (d: TestDoc, ref = '1') =>
  d.text('sent', [ref, ref, ROOM, 'phx_join', { config: { postgres_changes: [{ event: '*', schema: 'public', table: 'todos' }] }, access_token: 'x' }]);
const ok = (d: TestDoc, ref = '1') => d.text('received', [ref, ref, ROOM, 'phx_reply', { status: 'ok', response: { postgres_changes: [{ id: 1 }] } }]);

describe('Postgres Changes status', () => {
  it('none, requested, subscribed, failed, refused', () => {
    expect(postgresChangesStatus(channelOf((d) => [d.text('sent', ['1', '1', ROOM, 'phx_join', { config: {} }])])).state).toBe('none');
    expect(postgresChangesStatus(channelOf((d) => [pgJoin(d)]))).toMatchObject({ state: 'requested', bindings: 1, text: expect.stringContaining('waiting for the join') });
    expect(postgresChangesStatus(channelOf((d) => [pgJoin(d), ok(d)])).text).toContain('has not confirmed');
    const subscribed = postgresChangesStatus(
      channelOf((d) => [pgJoin(d), ok(d), d.text('received', ['1', null, ROOM, 'system', { extension: 'postgres_changes', status: 'ok', message: 'Subscribed to PostgreSQL', channel: 'room1' }])]),
    );
    expect(subscribed).toMatchObject({ state: 'subscribed', serverText: 'Subscribed to PostgreSQL' });
    const failed = postgresChangesStatus(
      channelOf((d) => [
        pgJoin(d),
        ok(d),
        d.text('received', ['1', null, ROOM, 'system', { extension: 'postgres_changes', status: 'error', message: 'Unable to subscribe to changes with given parameters', channel: 'room1' }]),
      ]),
    );
    expect(failed).toMatchObject({ state: 'error', serverText: 'Unable to subscribe to changes with given parameters' });
    expect(postgresChangesStatus(channelOf((d) => [pgJoin(d), d.text('received', ['1', '1', ROOM, 'phx_reply', { status: 'error', response: { reason: 'x' } }])])).state).toBe('join-refused');
  });
});

describe('last server error', () => {
  it('is the latest of refused joins, system errors and phx_error, with the diagnosis', () => {
    expect(lastServerError(channelOf((d) => [pgJoin(d), ok(d)]))).toBeUndefined();
    const refused = lastServerError(channelOf((d) => [pgJoin(d), d.text('received', ['1', '1', ROOM, 'phx_reply', { status: 'error', response: { reason: 'InvalidJWTToken: Token has expired 120 seconds ago' } }])]));
    expect(refused).toMatchObject({ source: 'join-reply', said: 'expired', text: 'InvalidJWTToken: Token has expired 120 seconds ago' });
    expect(refused?.explanation).toMatch(/expired/i);
    const expiredMidChannel = lastServerError(
      channelOf((d) => [
        pgJoin(d),
        ok(d),
        d.text('received', ['1', null, ROOM, 'system', { extension: 'system', status: 'error', message: 'Token has expired 0 seconds ago', channel: 'room1' }]),
        d.text('received', ['1', '1', ROOM, 'phx_close', {}]),
      ]),
    );
    expect(expiredMidChannel).toMatchObject({ source: 'system', said: 'expired', text: 'Token has expired 0 seconds ago' });
    const crashed = lastServerError(channelOf((d) => [pgJoin(d), ok(d), d.text('received', ['1', '1', ROOM, 'phx_error', {}])]));
    expect(crashed).toMatchObject({ source: 'phx_error' });
  });
});
