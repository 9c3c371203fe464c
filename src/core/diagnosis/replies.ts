// Parses what the server said — connect statuses, join reasons, `system` messages, close codes
// (realtime-facts §3) — in current and historical wordings (§3.6). Unknown texts are returned
// verbatim and marked unknown, never forced into a known shape.

import { PAGE_LIMITS } from '../../messages';
import type { FindingCode } from '../rules/catalogue';
import { safeJson } from '../safe-json';

export type ServerSaid =
  | 'expired'
  | 'expiration-invalid'
  | 'missing-claims'
  | 'malformed'
  | 'signature'
  | 'signer'
  | 'signer-kid'
  | 'generic'
  | 'claim-invalid'
  | 'no-permission'
  | 'lost-permission'
  | 'private-only'
  | 'topic-required'
  | 'tenant-not-found'
  | 'disabled'
  | 'rate-limit'
  | 'unmatched-topic'
  | 'missing-api-key'
  | 'not-auth'
  | 'server-requested-disconnect'
  | 'postgres-subscribed'
  | 'postgres-error'
  | 'unknown';

export interface ServerReplyDiagnosis {
  said: ServerSaid;
  /** The server's text, verbatim (its first REASON_READ_LIMIT characters, then "…"). */
  text: string;
  /**
   * Set when the reason could not be read whole: what was skipped and why (a text longer than
   * REASON_READ_LIMIT, a value that is not text and too deep or large to write out).
   */
  limited?: string;
  /** The code prefix (`InvalidJWTToken`, `MalformedJWT`…) when there was one. */
  codePrefix?: string;
  /** False for wordings older servers used (§3.6). */
  current: boolean;
  /** "Token has expired N seconds ago": N (server now − exp). */
  secondsAgo?: number;
  kid?: string;
  claim?: string;
  claimValue?: string;
  subtopic?: string;
  /** The finding that explains it, when the text alone says so. */
  causeCode?: FindingCode;
  /** Plain explanation, ending with what to do. */
  explanation: string;
}

/**
 * Server reasons are read up to this many characters (the page hook's own cap on reasons): every
 * known wording is far shorter, and a crafted megabyte "reason" then costs what 1 KB costs.
 */
export const REASON_READ_LIMIT = PAGE_LIMITS.maxReasonLength;

// Every pattern below starts at a literal and has no two adjacent parts that can match the same
// characters, so on a text capped at REASON_READ_LIMIT none can backtrack beyond linear work per
// literal. The "N seconds ago" number is read by hand (expiredSecondsAgo).
const SIGNER_KID = /Failed to generate JWT signer for key ID \(kid\) "([^"]*)"/;
const NO_PERMISSION = /You do not have permissions to read from this Channel topic: ?(.*)$/s;
const LOST_PERMISSION = /You no longer have permission to read from this Channel topic: ?(.*)$/s;
const INVALID_CLAIM = /Invalid value for JWT claim "([^"]+)"(?: with value (.*))?/s;
const VALIDATOR_INSPECT = /claim: "([^"]+)", claim_val: (.*)$/s;
const NON_AUTH_PREFIXES = [
  'UnableToConnectToProject', 'IncreaseConnectionPool', 'DatabaseLackOfConnections', 'InitializingProjectConnection',
  'RealtimeRestarting', 'UnableToReplayMessages', 'MusterJoinError',
];
const NON_AUTH_SYSTEM = [
  'Too many messages per second', 'Too many presence messages per second', 'Client presence rate limit exceeded',
  'Track message size exceeded', 'Replication connection was not established in time',
  'Realtime was unable to connect to the project database', 'Query was cancelled, please try again', 'Node request timeout', 'RPC call error',
];

/** A join `phx_reply` error's `response.reason` (§3.2, §3.6). Accepts any value. */
export function diagnoseJoinReason(reason: unknown): ServerReplyDiagnosis {
  if (typeof reason !== 'string') {
    if (reason === undefined) return unknown('(no reason)');
    const json = reasonJson(reason);
    return { ...unknown(json.text), ...(json.limited ? { limited: json.limited } : {}) };
  }
  return diagnoseText(reason);
}

/** A reason (or message) that is not text, as capped JSON, and what was cut from it. */
export function reasonJson(value: unknown): { text: string; limited?: string } {
  const { text, cut } = safeJson(value, { maxLength: REASON_READ_LIMIT, maxDepth: 16 });
  return { text: text === 'undefined' ? String(typeof value) : text, limited: cut ? `the reason is not text and was written out cut (${cut})` : undefined };
}

/** The reason as read: at most REASON_READ_LIMIT characters, and what was skipped. */
export function readReason(text: string): { text: string; limited?: string } {
  if (text.length <= REASON_READ_LIMIT) return { text };
  return {
    text: `${text.slice(0, REASON_READ_LIMIT)}…`,
    limited: `the reason is ${text.length.toLocaleString('en-US')} characters long; only its first ${REASON_READ_LIMIT.toLocaleString('en-US')} were read`,
  };
}

/**
 * "Token has expired N seconds ago" (or the older "as expired"): the verb and N, read by hand —
 * the equivalent regular expression `Token (has|as) expired (-?\d+) seconds ago`, without the
 * backtracking over long digit runs.
 */
export function expiredSecondsAgo(text: string): { verb: 'has' | 'as'; secondsAgo: number } | undefined {
  for (let i = text.indexOf('Token '); i !== -1; i = text.indexOf('Token ', i + 1)) {
    const verb = text.startsWith('has expired ', i + 6) ? 'has' : text.startsWith('as expired ', i + 6) ? 'as' : undefined;
    if (verb === undefined) continue;
    let j = i + 6 + verb.length + 9; // "has expired " / "as expired "
    const number = j;
    if (text.charCodeAt(j) === 45 /* - */) j++;
    const digits = j;
    while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    if (j > digits && text.startsWith(' seconds ago', j)) return { verb, secondsAgo: Number(text.slice(number, j)) };
  }
  return undefined;
}

/**
 * The text with its first "<n> seconds ago" (n an optional minus and digits) written "N seconds
 * ago", so reasons that differ only in that number compare equal. As `text.replace(/-?\d+ seconds
 * ago/, 'N seconds ago')`, in one pass: a digit run is scanned once from its start.
 */
export function withoutSecondsAgo(text: string): string {
  for (let at = text.indexOf(' seconds ago'); at !== -1; at = text.indexOf(' seconds ago', at + 1)) {
    let start = at;
    while (start > 0 && text.charCodeAt(start - 1) >= 48 && text.charCodeAt(start - 1) <= 57) start--;
    if (start === at) continue;
    if (start > 0 && text.charCodeAt(start - 1) === 45 /* - */) start--;
    return `${text.slice(0, start)}N seconds ago${text.slice(at + 12)}`;
  }
  return text;
}

/** Any server text about a token or channel: join reason, system message, connect body. */
export function diagnoseText(fullText: string): ServerReplyDiagnosis {
  const { text, limited } = readReason(fullText);
  const d = diagnoseRead(text);
  return limited ? { ...d, limited } : d;
}

function diagnoseRead(text: string): ServerReplyDiagnosis {
  const prefixMatch = /^([A-Z][A-Za-z]+): /.exec(text);
  const codePrefix = prefixMatch?.[1];
  const base = { text, codePrefix };

  const exp = expiredSecondsAgo(text);
  if (exp) {
    const n = exp.secondsAgo;
    const current = exp.verb === 'has' && (codePrefix === undefined || codePrefix === 'InvalidJWTToken');
    return {
      ...base, said: 'expired', current, secondsAgo: n, causeCode: 'token-expired',
      explanation: `The server judged the token expired ${n} s before it checked. Refresh the session and pass the new token to Realtime (supabase.realtime.setAuth).`,
    };
  }
  if (/Token expiration time is invalid/.test(text)) {
    return { ...base, said: 'expiration-invalid', current: true, causeCode: 'token-expired', explanation: 'The token expired while the server was checking it (a race at exp): treat it as expired and refresh earlier.' };
  }
  if (text.includes('Fields `role` and `exp` are required in JWT')) {
    return { ...base, said: 'missing-claims', current: true, causeCode: 'role-missing', explanation: 'The token lacks the role or exp claim. Mint it with role (a Postgres role) and exp.' };
  }
  if (text.includes('The token provided is not a valid JWT')) {
    return { ...base, said: 'malformed', current: true, causeCode: 'token-malformed', explanation: 'The token is not a JWT (an empty string counts). Send the session access token, or omit access_token.' };
  }
  if (text.includes('Failed to validate JWT signature') || text.trim() === ':signature_error') {
    return { ...base, said: 'signature', current: true, causeCode: 'signature-invalid', explanation: 'The signature does not verify with the project\'s key: a token from another project, or a rotated secret. Use a token issued by this project.' };
  }
  const kid = SIGNER_KID.exec(text);
  if (kid) {
    return { ...base, said: 'signer-kid', current: true, kid: kid[1], causeCode: 'kid-unknown', explanation: `The project JWKS has no usable key "${kid[1]}" (revoked, or from another project). Check the project's signing keys.` };
  }
  if (text.includes('Failed to generate JWT signer')) {
    return { ...base, said: 'signer', current: true, causeCode: 'alg-unsupported', explanation: 'The server cannot pick a key: unsupported alg (none, PS256), an asymmetric token without kid, or no JWKS configured. Sign with HS256 or RS/ES/EdDSA with a kid.' };
  }
  if (text === 'Unknown Error on Channel' || codePrefix === 'UnknownErrorOnChannel') {
    return {
      ...base, said: 'generic', current: codePrefix === undefined, causeCode: 'claim-validator-mismatch',
      explanation: 'The server\'s generic error: on a token that otherwise looks fine this usually means a claim-validator mismatch (JWT_CLAIM_VALIDATORS, e.g. iss/aud), or exp/iat sent as strings. Compare the claims with the server\'s validators.',
    };
  }
  if (text === 'InvalidJWTToken: Invalid JWT Token' || text === 'Invalid JWT Token') {
    return { ...base, said: 'claim-invalid', current: false, explanation: 'Older servers (≤ v2.30.27) sent this for any claim failure, expiry included. Check exp first, then role and the claim validators.' };
  }
  const claim = INVALID_CLAIM.exec(text);
  if (claim) {
    return {
      ...base, said: 'claim-invalid', current: false, claim: claim[1], claimValue: claim[2],
      causeCode: claim[1] === 'exp' ? 'token-expired' : 'claim-validator-mismatch',
      explanation: claim[1] === 'exp'
        ? 'Older servers (and realtime-js 2.10.8–2.11.3) said this about an expired exp. Refresh the session and pass the new token.'
        : `Older servers said this when claim "${claim[1]}" failed validation. Compare it with the server's claim validators.`,
    };
  }
  if (/^Access token has expired/.test(text)) {
    return { ...base, said: 'expired', current: false, causeCode: 'token-expired', explanation: 'Older servers\' in-channel expiry message. Refresh the session and push the new token to the channel.' };
  }
  if (/^Received an invalid access token from client/.test(text)) {
    return { ...base, said: 'malformed', current: false, causeCode: 'token-malformed', explanation: 'Older servers\' message for a refresh value it could not use. Push a valid JWT as access_token.' };
  }
  const validator = VALIDATOR_INSPECT.exec(text);
  if (validator && text.includes('Invalid token')) {
    const claimValue = validator[2].endsWith(']') ? validator[2].slice(0, -1) : validator[2];
    return { ...base, said: 'generic', current: true, claim: validator[1], claimValue, causeCode: 'claim-validator-mismatch', explanation: `Claim "${validator[1]}" failed the server's claim validators. Mint the token with the value the server expects.` };
  }
  const lost = LOST_PERMISSION.exec(text);
  if (lost) {
    return { ...base, said: 'lost-permission', current: true, subtopic: lost[1], causeCode: 'private-channel-denied', explanation: 'With the new token, RLS on realtime.messages no longer grants read on this topic. Check the policies for the new claims (sub, role).' };
  }
  const noPerm = NO_PERMISSION.exec(text);
  if (noPerm) {
    return { ...base, said: 'no-permission', current: true, subtopic: noPerm[1], causeCode: 'private-channel-denied', explanation: 'Private channel: no RLS policy on realtime.messages grants read for these claims. Add a SELECT policy for this topic (or use a public channel).' };
  }
  if (text.includes('This project only allows private channels')) return { ...base, said: 'private-only', current: true, explanation: 'The project only allows private channels: subscribe with config: { private: true } and RLS policies.' };
  if (text.includes('You must provide a topic name')) return { ...base, said: 'topic-required', current: true, explanation: 'The topic is empty. Give the channel a name.' };
  if (text.includes('Tenant with the given ID does not exist') || text === 'Tenant not found') return { ...base, said: 'tenant-not-found', current: true, explanation: 'The server does not know this project (first label of the host). Check the project URL.' };
  if (/Realtime (was )?disabled for (this )?tenant/.test(text)) return { ...base, said: 'disabled', current: true, explanation: 'Realtime is disabled for this project (suspended). Check the project status in the dashboard.' };
  if (/Too many (connected users|channels|joins per second)/.test(text)) return { ...base, said: 'rate-limit', current: true, explanation: 'A project rate limit. Back off, reuse channels, and avoid re-subscribing in loops.' };
  if (text === 'unmatched topic') return { ...base, said: 'unmatched-topic', current: true, explanation: 'The topic does not start with "realtime:". Use the client library\'s channel() which adds the prefix.' };
  if (text === 'API key is missing') return { ...base, said: 'missing-api-key', current: true, explanation: 'No apikey reached the server. Pass the project key to createClient.' };
  if (text === 'Token has expired') return { ...base, said: 'expired', current: true, causeCode: 'token-expired', explanation: 'The apikey JWT is expired. Use a current key.' };
  if (text === 'Server requested disconnect') return { ...base, said: 'server-requested-disconnect', current: true, explanation: 'The server is draining sockets (a change of JWT secret, JWKS or private-only setting, or a restart). The client reconnects.' };
  if (text === 'Subscribed to PostgreSQL') return { ...base, said: 'postgres-subscribed', current: true, explanation: 'Postgres Changes subscription is active.' };
  if (text.startsWith('Unable to subscribe to changes with given parameters')) {
    return { ...base, said: 'postgres-error', current: true, causeCode: 'postgres-changes-error', explanation: 'The Postgres Changes subscription failed: often the token\'s role is not a Postgres role, or the filter/table is invalid. The channel stays open but no changes arrive.' };
  }
  if (text === 'Error connecting to Realtime') return { ...base, said: 'generic', current: true, causeCode: 'claim-validator-mismatch', explanation: 'The server\'s generic connect error: a claim-validator mismatch, exp/iat as strings, or header/claims that are not objects.' };
  if ((codePrefix && NON_AUTH_PREFIXES.includes(codePrefix)) || NON_AUTH_SYSTEM.some((p) => text.startsWith(p))) {
    return { ...base, said: 'not-auth', current: true, explanation: 'Not an authentication problem (database, limits or restart). Retry with backoff.' };
  }
  return unknown(text, codePrefix);
}

function unknown(text: string, codePrefix?: string): ServerReplyDiagnosis {
  return { said: 'unknown', text, codePrefix, current: false, explanation: `Claimscope does not know this server message; shown verbatim: ${text}` };
}

export interface SystemMessageDiagnosis extends ServerReplyDiagnosis {
  extension: string | null;
  status: string | null;
  channel: string | null;
  /** `system` error on the channel itself: followed by phx_close (§3.3). */
  closesChannel: boolean;
}

/** A `system` event payload (§3.3), `{extension, status, message, channel}`. */
export function diagnoseSystemMessage(payload: unknown): SystemMessageDiagnosis {
  const p = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
  const extension = typeof p.extension === 'string' ? p.extension : null;
  const status = typeof p.status === 'string' ? p.status : null;
  const channel = typeof p.channel === 'string' ? p.channel : null;
  let d: ServerReplyDiagnosis;
  if (typeof p.message === 'string') d = diagnoseText(p.message);
  else {
    const json = reasonJson(p.message ?? payload);
    d = diagnoseText(json.text);
    if (json.limited) d = { ...d, limited: json.limited };
  }
  if (extension === 'postgres_changes' && status === 'error' && d.said !== 'postgres-error') {
    d = { ...d, said: 'postgres-error', causeCode: 'postgres-changes-error', explanation: `Postgres Changes reported an error: ${d.text}. The channel stays open but no changes arrive.` };
  }
  return { ...d, extension, status, channel, closesChannel: extension !== 'postgres_changes' && status === 'error' };
}

export interface ConnectFailureDiagnosis extends ServerReplyDiagnosis {
  status: number | null;
}

/** A refused upgrade: HTTP status and body when known (§3.1); before #2029 every refusal was 403 with an empty body. */
export function diagnoseConnectFailure(status: number | undefined, body?: string): ConnectFailureDiagnosis {
  let text = '';
  if (body) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === 'object' && typeof (parsed as { error?: unknown }).error === 'string') text = (parsed as { error: string }).error;
      else text = body;
    } catch {
      text = body;
    }
  }
  if (text) return { ...diagnoseText(text), status: status ?? null };
  if (status === 403) {
    return { said: 'unknown', text: '', current: false, status, explanation: 'HTTP 403 with an empty body: an older Realtime server (before the July 2026 error bodies) refusing the connection for any reason. Check the apikey with the predicted verdict.' };
  }
  return {
    said: 'unknown', text: '', current: true, status: status ?? null,
    explanation: status === undefined
      ? 'The socket closed before it opened; the browser does not reveal the HTTP status or body of a refused upgrade. The predicted verdict of the apikey stands in for it.'
      : `The upgrade was refused with HTTP ${status}; the body was not visible.`,
  };
}

export interface CloseCodeDiagnosis {
  code: number;
  reason: string;
  meaning: string;
}

/** WebSocket close codes of §3.4 and §7. */
export function diagnoseCloseCode(code: number, reason = ''): CloseCodeDiagnosis {
  const meanings: Record<number, string> = {
    1000: reason === 'heartbeat timeout' ? 'The client closed the socket after a missed heartbeat reply (network stall or a throttled background tab), then reconnects.' : 'Normal close.',
    1001: 'Going away: the server disconnected the socket (join-time TenantNotFound or ClientJoinRateLimitReached).',
    1006: 'Abnormal close without a close frame: the connection dropped, or the upgrade was refused (the browser hides the HTTP status).',
    1012: 'Service restart: the server drained the socket (the project\'s JWT secret, JWKS, private-only or suspend setting changed, or UserSocket.disconnect). The client reconnects with its current token.',
  };
  return { code, reason, meaning: meanings[code] ?? `Close code ${code}${reason ? ` (${reason})` : ''}: not one Realtime uses for auth.` };
}

