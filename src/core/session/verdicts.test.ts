import { describe, expect, it } from 'vitest';
import { JOIN_REASONS } from '../../../e2e/fixtures/server-strings';
import type { JoinVerdict } from '../analysis';
import { compareJoin, EXPIRY_SECONDS_TOLERANCE, replyReason } from './verdicts';

const refused = (reason: string, conditional = false): JoinVerdict => ({ accepted: false, reason, conditional, conditions: conditional ? ['if the signature is valid'] : [], explanation: '', failure: null });
const accepted: JoinVerdict = { accepted: true, reason: null, conditional: false, conditions: [], explanation: '', failure: null };

describe('compareJoin', () => {
  it('"expired N seconds ago" matches within the clock tolerance only', () => {
    const p = refused(JOIN_REASONS.expired(120));
    expect(compareJoin(p, { kind: 'error', reason: JOIN_REASONS.expired(120 + EXPIRY_SECONDS_TOLERANCE) }, { private: false }).match).toBe('yes');
    expect(compareJoin(p, { kind: 'error', reason: JOIN_REASONS.expired(125) }, { private: false }).match).toBe('no');
  });

  it('a different reason differs, and quotes the prediction and what it assumed', () => {
    const c = compareJoin(refused(JOIN_REASONS.missingClaims, true), { kind: 'error', reason: JOIN_REASONS.signature }, { private: false });
    expect(c.match).toBe('no');
    expect(c.text).toContain(JOIN_REASONS.missingClaims);
    expect(c.text).toContain('if the signature is valid');
  });

  it('RLS denial is consistent with an accepted token only on private channels; checks before the token differ', () => {
    expect(compareJoin(accepted, { kind: 'error', reason: JOIN_REASONS.unauthorized('room1') }, { private: true }).match).toBe('yes');
    expect(compareJoin(accepted, { kind: 'error', reason: JOIN_REASONS.unauthorized('room1') }, { private: false }).match).toBe('no');
    const po = compareJoin(accepted, { kind: 'error', reason: JOIN_REASONS.privateOnly }, { private: false });
    expect(po.match).toBe('no');
    expect(po.text).toMatch(/before judging the token/);
  });

  it('pending while no reply; none when nothing can be compared', () => {
    expect(compareJoin(accepted, { kind: 'awaiting' }, { private: false }).match).toBe('pending');
    expect(compareJoin(accepted, { kind: 'no-reply', why: 'the socket closed first' }, { private: false }).match).toBe('none');
    expect(compareJoin(null, { kind: 'ok' }, { private: false, why: 'issued by the gateway, not visible' }).text).toContain('issued by the gateway');
  });

  it('reads reasons of any shape without throwing', () => {
    expect(replyReason({ reason: 'x' })).toBe('x');
    expect(replyReason('bare')).toBe('bare');
    expect(replyReason({ other: 1 })).toBe('{"other":1}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(replyReason(cyclic)).toBe('(unreadable reason)');
  });
});
