// Turns a verification error into the words the server uses at each place (§3.1 connect, §3.2
// join, §3.3 live channel), in the current wording or the historical one (§3.6, ≤ 2024-08-27).
import {
  CONNECT,
  expiredText,
  JOIN,
  JOIN_HISTORICAL,
  MALFORMED_TEXT,
  MISSING_CLAIMS_TEXT,
  signerKidText,
  SIGNER_TEXT,
  SYSTEM_HISTORICAL,
} from './strings.js';
import { inspectError, type VerifyError } from './verify.js';

export type Wordings = 'current' | 'historical';

/** HTTP answer to a refused upgrade: `{"error": msg}`; historical servers sent 403 with no body. */
export interface ConnectAnswer {
  status: number;
  /** undefined = empty body. */
  body: { error: string } | undefined;
}

export function connectAnswer(which: keyof typeof CONNECT | { kid: string }, wordings: Wordings): ConnectAnswer {
  if (wordings === 'historical') return { status: 403, body: undefined };
  if (typeof which === 'object') return { status: 401, body: { error: signerKidText(which.kid) } };
  const [status, error] = CONNECT[which];
  return { status, body: { error } };
}

export function connectAnswerFor(e: VerifyError, wordings: Wordings): ConnectAnswer {
  switch (e.kind) {
    case 'not_a_string':
      return connectAnswer('missingApiKey', wordings);
    case 'malformed':
      return connectAnswer('malformed', wordings);
    case 'signer':
      return connectAnswer(e.kid === undefined ? 'signer' : { kid: e.kid }, wordings);
    case 'signature':
      return connectAnswer('signature', wordings);
    case 'expired':
      return connectAnswer('expired', wordings);
    case 'missing_claims':
      return connectAnswer('missingClaims', wordings);
    // Claim-validator mismatches, string exp/iat, non-object header/claims: the generic 500.
    case 'claim':
    case 'expected_claims_map':
    case 'expected_header_map':
      return connectAnswer('unknown', wordings);
  }
}

/** `response.reason` of the join's error reply (§3.2). */
export function joinReasonFor(e: VerifyError, wordings: Wordings): string {
  if (wordings === 'historical') {
    switch (e.kind) {
      case 'expired':
      case 'claim':
        return JOIN_HISTORICAL.invalidJwtToken;
      case 'missing_claims':
        return JOIN.missingClaims;
      case 'malformed':
        return JOIN.malformed;
      case 'signature':
        return JOIN.signature;
      default:
        // Before 2026-02-27 a signer error at join fell to the generic error, which until
        // 2025-06-11 carried the inspected reason.
        return JOIN_HISTORICAL.unknownWithInspect(inspectError(e));
    }
  }
  switch (e.kind) {
    case 'expired':
      return JOIN.expired(e.secondsAgo);
    case 'missing_claims':
      return JOIN.missingClaims;
    case 'malformed':
    case 'not_a_string':
      return JOIN.malformed;
    case 'signature':
      return JOIN.signature;
    case 'signer':
      return e.kid === undefined ? JOIN.signer : JOIN.signerKid(e.kid);
    default:
      return JOIN.unknown;
  }
}

/** `system` message after the periodic re-check (`handle_info(:confirm_token)`, §3.3). */
export function periodicSystemMessage(e: VerifyError, wordings: Wordings): string {
  if (wordings === 'historical') {
    if (e.kind === 'expired' || e.kind === 'claim') return SYSTEM_HISTORICAL.accessTokenExpired(inspectError(e));
    return inspectError(e);
  }
  switch (e.kind) {
    case 'expired':
      return expiredText(e.secondsAgo);
    case 'missing_claims':
      return MISSING_CLAIMS_TEXT;
    case 'signer':
      return e.kid === undefined ? SIGNER_TEXT : signerKidText(e.kid);
    default:
      // Everything else is stringified by Realtime.Logs.to_log, e.g. ":signature_error".
      return inspectError(e);
  }
}

/** `system` message after a refused `access_token` event (`handle_in("access_token")`, §3.3). */
export function accessTokenSystemMessage(e: VerifyError, wordings: Wordings): string {
  if (wordings === 'historical') return SYSTEM_HISTORICAL.invalidAccessToken(inspectError(e));
  switch (e.kind) {
    case 'malformed':
    case 'not_a_string':
      return MALFORMED_TEXT;
    case 'expired':
      return expiredText(e.secondsAgo);
    case 'missing_claims':
      return MISSING_CLAIMS_TEXT;
    case 'signer':
      return e.kid === undefined ? SIGNER_TEXT : signerKidText(e.kid);
    default:
      // A bad signature is the raw atom ":signature_error"; claim failures are the inspected
      // keyword list, e.g. `[message: "Invalid token", claim: "iss", claim_val: "x"]`.
      return inspectError(e);
  }
}
