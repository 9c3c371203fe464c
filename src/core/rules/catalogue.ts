// The finding catalogue (../shared/finding-codes.md). Codes are stable: never rename one.
// Every code has a section in docs/findings.md (checked by docs-meta.test.ts).

import type { TokenUseKind } from '../tokens/use-kind';

export type Severity = 'error' | 'warning' | 'info';

export const FINDING_CODES = {
  // Structure and algorithm
  'token-malformed': { severity: 'error', title: 'Not a valid JWT' },
  'alg-unsupported': { severity: 'error', title: 'Unsupported signing algorithm' },
  'kid-missing': { severity: 'error', title: 'Asymmetric token without a kid' },
  'kid-unknown': { severity: 'error', title: 'kid not in the project JWKS' },
  'signature-invalid': { severity: 'error', title: 'Signature does not verify' },
  // Required claims and types
  'exp-missing': { severity: 'error', title: 'No exp claim' },
  'role-missing': { severity: 'error', title: 'No role claim' },
  'claim-type-invalid': { severity: 'error', title: 'exp or iat is not a number' },
  // Time
  'token-expired': { severity: 'error', title: 'Token expired' },
  'token-expires-soon': { severity: 'warning', title: 'Channel token expires soon' },
  'token-not-yet-valid': { severity: 'warning', title: 'Token not yet valid (nbf)' },
  'iat-in-future': { severity: 'warning', title: 'Issued in the future' },
  'clock-skew': { severity: 'warning', title: 'Browser clock differs from the server' },
  'refresh-paused-while-hidden': { severity: 'warning', title: 'Expired while the tab was hidden' },
  // Project, audience, issuer, role
  'project-mismatch': { severity: 'error', title: 'Token from another project' },
  'aud-unexpected': { severity: 'warning', title: 'Unexpected audience' },
  'iss-unexpected': { severity: 'warning', title: 'Unexpected issuer' },
  'claim-validator-mismatch': { severity: 'error', title: 'Claim differs from the server validators' },
  'role-unknown': { severity: 'info', title: 'Unusual role' },
  // Keys and exposure
  'service-role-in-browser': { severity: 'error', title: 'Service-role key in the browser' },
  'secret-key-in-browser': { severity: 'error', title: 'Secret key in the browser' },
  'opaque-api-key': { severity: 'info', title: 'Opaque publishable key' },
  // Lifecycle and correlation
  'channel-token-stale': { severity: 'warning', title: 'Channel uses an older token than HTTP calls' },
  'signed-out-token-retained': { severity: 'warning', title: 'Signed-out token kept by a channel' },
  'refresh-failed': { severity: 'error', title: 'Session refresh failed' },
  'rejoin-loop': { severity: 'error', title: 'Rejoin loop' },
  'channel-joined-as-anon': { severity: 'error', title: 'Channel runs as anon beside a signed-in user' },
  'join-timed-out': { severity: 'error', title: 'Join timed out' },
  'heartbeat-timeout': { severity: 'warning', title: 'Heartbeat timeout' },
  'reconnect-loop': { severity: 'error', title: 'Reconnect loop' },
  'socket-closed': { severity: 'warning', title: 'Socket closed' },
  // Limits of the analysis
  'analysis-limited': { severity: 'info', title: 'Not fully analysed' },
  // Reported by the server
  'server-connect-refused': { severity: 'error', title: 'Connection refused' },
  'server-join-rejected': { severity: 'error', title: 'Join rejected' },
  'server-channel-closed': { severity: 'error', title: 'Channel closed by the server' },
  'postgres-changes-error': { severity: 'error', title: 'Postgres Changes subscription failed' },
  'private-channel-denied': { severity: 'error', title: 'Private channel denied by RLS' },
  'server-broadcast-refused': { severity: 'error', title: 'REST broadcast refused' },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type FindingCode = keyof typeof FINDING_CODES;

export const ALL_FINDING_CODES = Object.keys(FINDING_CODES) as FindingCode[];

export interface FindingEvidence {
  /** Label of the token concerned (never the token itself: findings get exported and copied). */
  token?: string;
  /** `seq` of the captured frame. */
  frameSeq?: number;
  /** Page request id of the HTTP call. */
  requestId?: string;
  claim?: string;
  expected?: unknown;
  actual?: unknown;
  /** The server's own words, verbatim, when the finding comes from or leads to them. */
  serverText?: string;
  /** Channel / connection the finding is about. */
  conn?: string;
  topic?: string;
  /**
   * Findings about a token itself (its class, claims, signature, or that it was used expired) are
   * said once per token; the fields above are then its first use, and these list every place it
   * was used (in a captured session; absent for a pasted token).
   */
  useCount?: number;
  /** Places of use, first use first; at most MAX_USE_PLACES (the rest counted in usesOmitted). */
  uses?: FindingUse[];
  /** Places of use left out of `uses` (their uses are still in useCount). */
  usesOmitted?: number;
}

/** How a token travelled (the session's TokenUseKind, plus the socket apikey judged as a channel token). */
export type FindingUseKind =
  | TokenUseKind
  /** The channel fell back to the socket's apikey JWT (no usable token in the join, §2.2). */
  | 'channel-apikey';

/** One place a token was used: same kind, socket, channel topic and request path. */
export interface FindingUse {
  kind: FindingUseKind;
  /** Uses at this place. */
  count: number;
  /** First and last use here (browser clock, ms). */
  first: number;
  last: number;
  /** The first use here: frame `seq` or request id. */
  frameSeq?: number;
  requestId?: string;
  conn?: string;
  topic?: string;
  /** Request path, without the query (it may carry keys). */
  path?: string;
}

export const MAX_USE_PLACES = 20;

export interface Finding {
  code: FindingCode;
  severity: Severity;
  message: string;
  cause: string;
  fix: string;
  evidence: FindingEvidence;
  /** When it applies (ms since epoch, browser clock), null for timeless facts of a pasted token. */
  time: number | null;
  /** For server-reported findings: the code of the primary cause, when one is known. */
  causeCode?: FindingCode;
  /** True when the server's own answer confirmed this problem (severity is then raised). */
  confirmedByServer?: boolean;
}

export function finding(
  code: FindingCode,
  parts: Omit<Finding, 'code' | 'severity'> & { severity?: Severity },
): Finding {
  return { code, severity: parts.severity ?? FINDING_CODES[code].severity, ...stripSeverity(parts) };
}

function stripSeverity<T extends { severity?: Severity }>(parts: T): Omit<T, 'severity'> {
  const { severity: _s, ...rest } = parts;
  return rest;
}

export const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function hasError(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
