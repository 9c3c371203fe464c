import { describe, expect, it } from 'vitest';
import { SYSTEM_MESSAGES } from '../../../e2e/fixtures/server-strings';
import { SessionScript, T0 } from '../analysis/session-cases';
import { legacyKeyClaims, makeTestKeys, mint, userClaims } from '../tokens/testing';
import { Session } from './session';

const NOW_S = Math.floor(T0 / 1000);

/** A channel joined with a user token that expires 60 s later; the server closes it at exp (§3.3). */
async function expiringChannel() {
  const keys = await makeTestKeys();
  const exp = NOW_S + 60;
  const user = await mint(keys, { alg: 'ES256', claims: userClaims(NOW_S, { exp }) });
  const anon = await mint(keys, { claims: legacyKeyClaims('anon', NOW_S) });
  const s = new SessionScript();
  s.socket('c1', anon).join('c1', 'room', '1', user).after(30).joinOk('c1', 'room', '1');
  const joined = s.events.length;
  s.at(exp * 1000).system('c1', 'room', '1', SYSTEM_MESSAGES.expired(0));
  return { before: s.events.slice(0, joined), closing: s.events.slice(joined), exp };
}

describe('findings history', () => {
  it('keeps token-expires-soon after the close it predicted, resolved by it and linked to it', async () => {
    const { before, closing, exp } = await expiringChannel();
    const session = new Session({ tabId: 1 });
    session.applyLocal(before);
    await session.analyse(T0 + 10_000); // 50 s before exp: inside the 90 s refresh margin
    const soon = session.snapshot().findings.find((e) => e.finding.code === 'token-expires-soon');
    expect(soon).toMatchObject({ state: 'active', raisedAt: T0 + 10_000 });

    session.applyLocal(closing);
    await session.analyse(exp * 1000 + 1_000);
    const { findings } = session.snapshot();
    const closed = findings.find((e) => e.finding.code === 'server-channel-closed');
    const resolved = findings.find((e) => e.finding.code === 'token-expires-soon');
    expect(closed?.state).toBe('active');
    expect(resolved).toMatchObject({
      state: 'resolved',
      resolvedAt: exp * 1000 + 1_000,
      resolvedWhy: 'the server closed the channel when the token expired, as predicted',
      resolvedBy: closed!.key,
    });
    // Active first, resolved after.
    expect(findings.at(-1)?.state).toBe('resolved');
  });

  it('a finding that was never raised again stays resolved; Clear forgets the history', async () => {
    const { before } = await expiringChannel();
    const session = new Session({ tabId: 1 });
    session.applyLocal(before);
    await session.analyse(T0 + 10_000);
    // Much later, with no close captured: the channel is no longer within the margin (expired).
    await session.analyse(T0 + 10 * 60_000);
    const soon = session.snapshot().findings.find((e) => e.finding.code === 'token-expires-soon');
    expect(soon?.state).toBe('resolved');
    expect(soon?.resolvedWhy).toMatch(/./);
    session.clear();
    expect(session.snapshot().findings).toEqual([]);
  });

  it('published history never changes afterwards', async () => {
    const { before, closing, exp } = await expiringChannel();
    const session = new Session({ tabId: 1 });
    session.applyLocal(before);
    await session.analyse(T0 + 10_000);
    const published = session.snapshot();
    const text = JSON.stringify(published.findings);
    session.applyLocal(closing);
    await session.analyse(exp * 1000 + 1_000);
    expect(JSON.stringify(published.findings)).toBe(text);
  });
});
