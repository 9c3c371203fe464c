import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLOSE_CODES, CONNECT_ERRORS, CONNECT_ERROR_HISTORICAL, JOIN_REASONS, JOIN_REASONS_HISTORICAL, SYSTEM_MESSAGES, SYSTEM_MESSAGES_HISTORICAL,
} from '../../../e2e/fixtures/server-strings';
import { diagnoseCloseCode, diagnoseConnectFailure, diagnoseJoinReason, diagnoseSystemMessage, diagnoseText, expiredSecondsAgo, REASON_READ_LIMIT, withoutSecondsAgo } from './replies';
import { CHANNEL_SYSTEM_TEXT, CONNECT_ERROR_TEXT, JOIN_REASON_TEXT } from './server-words';

describe('the engine words equal the shared server-strings table', () => {
  it('connect bodies', () => {
    for (const [k, v] of Object.entries(CONNECT_ERRORS)) {
      const mine = (CONNECT_ERROR_TEXT as Record<string, unknown>)[k];
      if (typeof v === 'function') expect((mine as (s: string) => string)('kid-1'), k).toBe(v('kid-1').error);
      else expect(mine, k).toBe(v.error);
    }
  });
  it('join reasons (token-related)', () => {
    for (const k of Object.keys(JOIN_REASON_TEXT) as Array<keyof typeof JOIN_REASON_TEXT>) {
      const theirs = JOIN_REASONS[k];
      const mine = JOIN_REASON_TEXT[k];
      if (typeof theirs === 'function') expect((mine as (x: never) => string)(7 as never), k).toBe((theirs as (x: never) => string)(7 as never));
      else expect(mine, k).toBe(theirs);
    }
    expect(JOIN_REASON_TEXT.signerKid('abc')).toBe(JOIN_REASONS.signerKid('abc'));
  });
  it('system texts', () => {
    expect(CHANNEL_SYSTEM_TEXT.expired(3)).toBe(SYSTEM_MESSAGES.expired(3));
    expect(CHANNEL_SYSTEM_TEXT.missingClaims).toBe(SYSTEM_MESSAGES.missingClaims);
    expect(CHANNEL_SYSTEM_TEXT.malformed).toBe(SYSTEM_MESSAGES.malformed);
    expect(CHANNEL_SYSTEM_TEXT.signerKid('k')).toBe(SYSTEM_MESSAGES.signerKid('k'));
    expect(CHANNEL_SYSTEM_TEXT.signatureAtom).toBe(SYSTEM_MESSAGES.signatureAtom);
  });
});

describe('diagnoseJoinReason: current and historical wordings', () => {
  it.each([
    [JOIN_REASONS.expired(12), 'expired', 'token-expired', true, { secondsAgo: 12 }],
    [JOIN_REASONS.expired(-3), 'expired', 'token-expired', true, { secondsAgo: -3 }],
    [JOIN_REASONS.missingClaims, 'missing-claims', 'role-missing', true, {}],
    [JOIN_REASONS.expirationInvalid, 'expiration-invalid', 'token-expired', true, {}],
    [JOIN_REASONS.malformed, 'malformed', 'token-malformed', true, {}],
    [JOIN_REASONS.signature, 'signature', 'signature-invalid', true, {}],
    [JOIN_REASONS.signerKid('old-key'), 'signer-kid', 'kid-unknown', true, { kid: 'old-key' }],
    [JOIN_REASONS.signer, 'signer', 'alg-unsupported', true, {}],
    [JOIN_REASONS.unknown, 'generic', 'claim-validator-mismatch', true, {}],
    [JOIN_REASONS.unauthorized('room:1'), 'no-permission', 'private-channel-denied', true, { subtopic: 'room:1' }],
    [JOIN_REASONS.privateOnly, 'private-only', undefined, true, {}],
    [JOIN_REASONS.topicRequired, 'topic-required', undefined, true, {}],
    [JOIN_REASONS.tenantNotFound, 'tenant-not-found', undefined, true, {}],
    [JOIN_REASONS.disabled, 'disabled', undefined, true, {}],
    [JOIN_REASONS.tooManyUsers, 'rate-limit', undefined, true, {}],
    [JOIN_REASONS.tooManyChannels, 'rate-limit', undefined, true, {}],
    [JOIN_REASONS.tooManyJoins, 'rate-limit', undefined, true, {}],
    [JOIN_REASONS.unmatchedTopic, 'unmatched-topic', undefined, true, {}],
    [JOIN_REASONS_HISTORICAL.invalidJwtToken, 'claim-invalid', undefined, false, {}],
    [JOIN_REASONS_HISTORICAL.invalidClaim('exp'), 'claim-invalid', 'token-expired', false, { claim: 'exp' }],
    [JOIN_REASONS_HISTORICAL.invalidClaimWithValue('iss', '"x"'), 'claim-invalid', 'claim-validator-mismatch', false, { claim: 'iss', claimValue: '"x"' }],
    [JOIN_REASONS_HISTORICAL.expiredTypo(5), 'expired', 'token-expired', false, { secondsAgo: 5 }],
    [JOIN_REASONS_HISTORICAL.expiredOldCode(300), 'expired', 'token-expired', false, { secondsAgo: 300 }],
    [JOIN_REASONS_HISTORICAL.unknownWithInspect('{:error, :boom}'), 'generic', 'claim-validator-mismatch', false, {}],
  ] as const)('%s', (reason, said, cause, current, extra) => {
    const d = diagnoseJoinReason(reason);
    expect(d).toMatchObject({ said, current, text: reason, ...extra });
    expect(d.causeCode).toBe(cause);
    expect(d.explanation.length).toBeGreaterThan(10);
  });
  it('keeps an unknown reason verbatim', () => {
    expect(diagnoseJoinReason('Something: new and strange')).toMatchObject({ said: 'unknown', text: 'Something: new and strange' });
    expect(diagnoseJoinReason({ weird: 1 })).toMatchObject({ said: 'unknown', text: '{"weird":1}' });
  });
  it('never throws', () => {
    fc.assert(fc.property(fc.anything(), (v) => { diagnoseJoinReason(v); diagnoseSystemMessage(v); }));
  });
});

describe('diagnoseSystemMessage (§3.3)', () => {
  const sys = (message: string, extension = 'system', status = 'error') => ({ extension, status, message, channel: 'room' });
  it.each([
    [SYSTEM_MESSAGES.expired(0), 'expired', true],
    [SYSTEM_MESSAGES.missingClaims, 'missing-claims', true],
    [SYSTEM_MESSAGES.malformed, 'malformed', true],
    [SYSTEM_MESSAGES.signerKid('k9'), 'signer-kid', true],
    [SYSTEM_MESSAGES.signatureAtom, 'signature', true],
    [SYSTEM_MESSAGES.noPermission('room'), 'no-permission', true],
    [SYSTEM_MESSAGES.lostPermission('room'), 'lost-permission', true],
    [SYSTEM_MESSAGES_HISTORICAL.accessTokenExpired('exp 1'), 'expired', true],
    [SYSTEM_MESSAGES_HISTORICAL.invalidAccessToken('"x"'), 'malformed', true],
    ['[message: "Invalid token", claim: "iss", claim_val: "x"]', 'generic', true],
  ] as const)('%s', (message, said, closes) => {
    expect(diagnoseSystemMessage(sys(message))).toMatchObject({ said, closesChannel: closes });
  });
  it('postgres_changes: subscribed is ok, errors do not close the channel', () => {
    expect(diagnoseSystemMessage(sys(SYSTEM_MESSAGES.postgresSubscribed, 'postgres_changes', 'ok'))).toMatchObject({ said: 'postgres-subscribed', closesChannel: false });
    const err = diagnoseSystemMessage(sys(`${SYSTEM_MESSAGES.postgresSubscribeErrorPrefix}[...]. Exception: role "potato" does not exist`, 'postgres_changes'));
    expect(err).toMatchObject({ said: 'postgres-error', causeCode: 'postgres-changes-error', closesChannel: false });
  });
  it('server requested disconnect is informational', () => {
    expect(diagnoseSystemMessage(sys(SYSTEM_MESSAGES.serverRequestedDisconnect, 'system', 'ok'))).toMatchObject({ said: 'server-requested-disconnect', closesChannel: false });
  });
});

describe('diagnoseConnectFailure and close codes (§3.1, §3.4)', () => {
  it.each(Object.entries(CONNECT_ERRORS).filter(([, v]) => typeof v !== 'function') as Array<[string, { status: number; error: string }]>)('%s', (_k, v) => {
    const d = diagnoseConnectFailure(v.status, JSON.stringify({ error: v.error }));
    expect(d.status).toBe(v.status);
    expect(d.said).not.toBe('unknown');
  });
  it('historical 403 with an empty body, and an unseen status', () => {
    expect(diagnoseConnectFailure(CONNECT_ERROR_HISTORICAL.status, CONNECT_ERROR_HISTORICAL.body).explanation).toMatch(/older Realtime server/);
    expect(diagnoseConnectFailure(undefined).explanation).toMatch(/does not reveal the HTTP status/);
  });
  it('close codes', () => {
    expect(diagnoseCloseCode(CLOSE_CODES.serviceRestart).meaning).toMatch(/drained/);
    expect(diagnoseCloseCode(CLOSE_CODES.goingAway).meaning).toMatch(/Going away/);
    expect(diagnoseCloseCode(CLOSE_CODES.normal, 'heartbeat timeout').meaning).toMatch(/heartbeat/);
  });
});

describe('reasons are read capped, with patterns that cannot backtrack', () => {
  const OLD_EXPIRED = /Token (has|as) expired (-?\d+) seconds ago/;
  const OLD_NORMALISE = /-?\d+ seconds ago/;
  const reasonish = fc
    .array(fc.constantFrom('Token ', 'has ', 'as ', 'expired ', '-', '1', '23', ' seconds ago', ' seconds', 'x', 'Token has expired ', ' '), { maxLength: 14 })
    .map((parts) => parts.join(''));

  it('read "N seconds ago" exactly as the old regular expressions did (property)', () => {
    fc.assert(
      fc.property(reasonish, (text) => {
        const old = OLD_EXPIRED.exec(text);
        expect(expiredSecondsAgo(text)).toEqual(old ? { verb: old[1], secondsAgo: Number(old[2]) } : undefined);
        expect(withoutSecondsAgo(text)).toBe(text.replace(OLD_NORMALISE, 'N seconds ago'));
      }),
      { numRuns: 2_000 },
    );
  });

  it('read 80,000 digits (the old pattern took seconds; the time is the benchmark\'s), and say what was not read', () => {
    const digits = '1'.repeat(80_000);
    expect(withoutSecondsAgo(digits)).toBe(digits);
    const d = diagnoseJoinReason(`Token has expired ${digits}x`);
    diagnoseText(`${digits} seconds ago`);
    expect(d.text).toHaveLength(REASON_READ_LIMIT + 1);
    expect(d.limited).toBe(`the reason is ${(80_019).toLocaleString('en-US')} characters long; only its first 1,024 were read`);
  });

  it('a reason that is not text is written out capped, however deep', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 8_000; i++) deep = { reason: deep };
    const d = diagnoseJoinReason(deep);
    expect(d.said).toBe('unknown');
    expect(d.limited).toMatch(/not text and was written out cut \(values nested deeper than 16 levels\)/);
    expect(diagnoseSystemMessage({ extension: 'postgres_changes', status: 'error', message: deep }).said).toBe('postgres-error');
  });
});
