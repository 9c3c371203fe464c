// What realtime-js tells the page's subscribe callback, inferred from the frames (realtime-facts §7).
import { describe, expect, it } from 'vitest';
import { JOIN_REASONS, SYSTEM_MESSAGES } from '../../../e2e/fixtures/server-strings';
import { SessionScript } from '../analysis/session-cases';
import { trackRealtime } from '../realtime';
import { toldApp } from './told-app';

function told(build: (s: SessionScript) => void) {
  const s = new SessionScript();
  build(s);
  const session = trackRealtime(s.events);
  const channel = session.channels[0];
  return toldApp(channel, session.connections.find((c) => c.conn === channel.key.conn)).map((t) => (t.message === undefined ? t.status : `${t.status}: ${t.message}`));
}

describe('toldApp', () => {
  it('a join answered ok: SUBSCRIBED', () => {
    expect(told((s) => s.socket('c1', 'anon').join('c1', 'room', '1').after(20).joinOk('c1', 'room', '1'))).toEqual(['SUBSCRIBED']);
  });

  it('a join refused: CHANNEL_ERROR with the reason as err.message, again for each rejoin, then SUBSCRIBED', () => {
    const reason = JOIN_REASONS.expired(120);
    expect(
      told((s) =>
        s.socket('c1', 'anon')
          .join('c1', 'room', '1', 'x').after(5_000).joinError('c1', 'room', '1', reason)
          .after(1_000).join('c1', 'room', '3', 'x').after(5_000).joinError('c1', 'room', '3', reason)
          .after(2_000).join('c1', 'room', '5', 'y').after(30).joinOk('c1', 'room', '5'),
      ),
    ).toEqual([`CHANNEL_ERROR: ${reason}`, `CHANNEL_ERROR: ${reason}`, 'SUBSCRIBED']);
  });

  it('the server closes the channel at exp: SUBSCRIBED then CLOSED (no error object)', () => {
    expect(
      told((s) => s.socket('c1', 'anon').join('c1', 'room', '1').after(20).joinOk('c1', 'room', '1').after(20_000).system('c1', 'room', '1', SYSTEM_MESSAGES.expired(0))),
    ).toEqual(['SUBSCRIBED', 'CLOSED']);
  });

  it('a crashed channel process (phx_error): CHANNEL_ERROR "channel error: transport failure"', () => {
    expect(
      told((s) => s.socket('c1', 'anon').join('c1', 'room', '1').after(20).joinOk('c1', 'room', '1').after(20).received('c1', ['1', '1', 'realtime:room', 'phx_error', {}])),
    ).toEqual(['SUBSCRIBED', 'CHANNEL_ERROR: channel error: transport failure']);
  });

  it('the socket closes under a joined channel: "socket closed: <code> (<reason>)", or "transport failure" after an error event', () => {
    const joined = (s: SessionScript) => s.socket('c1', 'anon').join('c1', 'room', '1').after(20).joinOk('c1', 'room', '1').after(1_000);
    expect(told((s) => joined(s).push({ kind: 'ws-close', conn: 'c1', code: 1012, reason: 'service restart', wasClean: true }))).toEqual([
      'SUBSCRIBED',
      'CHANNEL_ERROR: socket closed: 1012 (service restart)',
    ]);
    expect(told((s) => joined(s).push({ kind: 'ws-error', conn: 'c1' }).push({ kind: 'ws-close', conn: 'c1', code: 1006, reason: '', wasClean: false }))).toEqual([
      'SUBSCRIBED',
      'CHANNEL_ERROR: channel error: transport failure',
    ]);
  });

  it('the page leaves: CLOSED, and a later socket close says nothing more', () => {
    expect(
      told((s) =>
        s.socket('c1', 'anon').join('c1', 'room', '1').after(20).joinOk('c1', 'room', '1')
          .after(100).sent('c1', ['1', '2', 'realtime:room', 'phx_leave', {}])
          .after(20).push({ kind: 'ws-close', conn: 'c1', code: 1000, reason: '', wasClean: true }),
      ),
    ).toEqual(['SUBSCRIBED', 'CLOSED']);
  });
});
