// Predicted server answers, in the server's current words (§3.1 connect, §3.2 join, §3.3 live
// refresh), from the step-by-step judgement of judge.ts.

import { decodeToken, type DecodedToken } from '../tokens/decode';
import type { ProjectKnowledge } from '../tokens/project';
import { judgeToken, type Judgement, type ServerFailure, type UseTime } from './judge';
import { CHANNEL_SYSTEM_TEXT, CONNECT_ERROR_TEXT, JOIN_REASON_TEXT } from './server-words';

export interface ConnectVerdict {
  /** HTTP status of the upgrade: 101 when accepted, null when it cannot be known. */
  status: number | null;
  body: { error: string } | null;
  accepted: boolean | null;
  conditional: boolean;
  conditions: string[];
  explanation: string;
  failure: ServerFailure | null;
}

export interface JoinVerdict {
  accepted: boolean | null;
  /** `response.reason` of the error reply, exactly as the server sends it. */
  reason: string | null;
  conditional: boolean;
  conditions: string[];
  explanation: string;
  failure: ServerFailure | null;
}

export interface RefreshVerdict {
  /** Whether the channel keeps running after this `access_token` push. */
  accepted: boolean | null;
  /** The `system` message text sent before `phx_close` when it fails (§3.3). */
  systemMessage: string | null;
  ignored: boolean;
  conditional: boolean;
  conditions: string[];
  explanation: string;
}

export const GATEWAY_TOKEN_NOTE =
  'sb_ keys are not JWTs: the API gateway swaps the key for a short-lived JWT the browser never sees (issued by the gateway, not visible), so its verdict and expiry cannot be predicted. Public connections authorised only by that JWT are closed after about 24 h unless the channel gets a user token (§2.1).';

type TokenInput = string | DecodedToken | null | undefined | unknown;

function asDecoded(token: TokenInput): DecodedToken {
  if (token !== null && typeof token === 'object' && 'form' in token && 'tokenClass' in token) return token as DecodedToken;
  return decodeToken(token);
}

export async function predictConnectVerdict(
  token: TokenInput,
  project: ProjectKnowledge = {},
  use: UseTime = { at: Date.now() },
): Promise<ConnectVerdict> {
  if (token === undefined || token === null || (typeof token !== 'string' && !isDecoded(token))) {
    return {
      status: 401,
      body: { error: CONNECT_ERROR_TEXT.missingApiKey },
      accepted: false,
      conditional: false,
      conditions: [],
      explanation: 'No apikey query parameter (or x-api-key header) reached the server.',
      failure: { kind: 'missing-api-key' },
    };
  }
  const decoded = asDecoded(token);
  if (decoded.form === 'opaque-key') {
    return {
      status: null,
      body: null,
      accepted: null,
      conditional: true,
      conditions: ['through the Supabase API gateway; self-hosted Realtime reached without the gateway answers 401 "The token provided is not a valid JWT"'],
      explanation: GATEWAY_TOKEN_NOTE,
      failure: null,
    };
  }
  const judgement = await judgeToken(decoded, project, use);
  const body = connectBody(judgement.failure);
  return {
    status: body === null ? 101 : body.status,
    body: body === null ? null : { error: body.error },
    accepted: body === null,
    conditional: judgement.conditional,
    conditions: judgement.conditions,
    explanation: explainFailure(judgement.failure, judgement),
    failure: judgement.failure,
  };
}

export async function predictJoinVerdict(
  token: TokenInput,
  project: ProjectKnowledge = {},
  use: UseTime = { at: Date.now() },
): Promise<JoinVerdict> {
  // §2.2: null, missing, non-strings and sb_ values make the server judge the connection's token.
  if (typeof token !== 'string' && !isDecoded(token)) {
    return unknownJoin('The join carries no usable token, so the server judges the connection token (the apikey JWT).');
  }
  const decoded = asDecoded(token);
  if (decoded.form === 'opaque-key') {
    return unknownJoin(`The server ignores sb_ values as channel tokens and judges the connection token instead. ${GATEWAY_TOKEN_NOTE}`);
  }
  const judgement = await judgeToken(decoded, project, use);
  return {
    accepted: judgement.failure === null,
    reason: joinReason(judgement.failure),
    conditional: judgement.conditional,
    conditions: judgement.conditions,
    explanation: explainFailure(judgement.failure, judgement),
    failure: judgement.failure,
  };
}

/** §2.3 / §3.3: what a joined channel does with an `access_token` push of this value. */
export async function predictRefreshVerdict(
  value: unknown,
  current: DecodedToken | null,
  project: ProjectKnowledge = {},
  use: UseTime = { at: Date.now() },
): Promise<RefreshVerdict> {
  const ignored = (explanation: string): RefreshVerdict => ({
    accepted: null,
    systemMessage: null,
    ignored: true,
    conditional: false,
    conditions: [],
    explanation,
  });
  if (value === null) return ignored('null is ignored: the previous token and its expiry timer stay in force.');
  if (typeof value !== 'string') return ignored('a non-string access_token is ignored (logged by the server as an unexpected message).');
  const decoded = decodeToken(value);
  if (decoded.cleaned.startsWith('sb_')) {
    return ignored('sb_ values are ignored: the previous token and its expiry timer stay in force (§2.3).');
  }
  if (current && current.cleaned === decoded.cleaned) return ignored('the same token as the current one is ignored.');
  const judgement = await judgeToken(decoded, project, use);
  return {
    accepted: judgement.failure === null,
    systemMessage: systemText(judgement.failure),
    ignored: false,
    conditional: judgement.conditional,
    conditions: judgement.conditions,
    explanation: explainFailure(judgement.failure, judgement),
  };
}

function unknownJoin(explanation: string): JoinVerdict {
  return { accepted: null, reason: null, conditional: true, conditions: ['depends on the connection token'], explanation, failure: null };
}

function isDecoded(value: unknown): boolean {
  return value !== null && typeof value === 'object' && 'form' in value && 'tokenClass' in value;
}

export function connectBody(failure: ServerFailure | null): { status: number; error: string } | null {
  if (failure === null) return null;
  switch (failure.kind) {
    case 'missing-api-key':
      return { status: 401, error: CONNECT_ERROR_TEXT.missingApiKey };
    case 'malformed':
      return { status: 401, error: CONNECT_ERROR_TEXT.malformed };
    case 'signer':
      return { status: 401, error: CONNECT_ERROR_TEXT.signer };
    case 'signer-kid':
      return { status: 401, error: CONNECT_ERROR_TEXT.signerKid(failure.kid) };
    case 'signature':
      return { status: 401, error: CONNECT_ERROR_TEXT.signature };
    case 'expired':
      return { status: 401, error: CONNECT_ERROR_TEXT.expired };
    case 'missing-claims':
      return { status: 401, error: CONNECT_ERROR_TEXT.missingClaims };
    case 'generic':
      return { status: 500, error: CONNECT_ERROR_TEXT.unknown };
  }
}

export function joinReason(failure: ServerFailure | null): string | null {
  if (failure === null) return null;
  switch (failure.kind) {
    case 'missing-api-key':
      return null;
    case 'malformed':
      return JOIN_REASON_TEXT.malformed;
    case 'signer':
      return JOIN_REASON_TEXT.signer;
    case 'signer-kid':
      return JOIN_REASON_TEXT.signerKid(failure.kid);
    case 'signature':
      return JOIN_REASON_TEXT.signature;
    case 'expired':
      return JOIN_REASON_TEXT.expired(failure.secondsAgo);
    case 'missing-claims':
      return JOIN_REASON_TEXT.missingClaims;
    case 'generic':
      return JOIN_REASON_TEXT.unknown;
  }
}

/** §3.3 texts after a failed `access_token` push; generic failures are an Elixir inspect (unknowable). */
export function systemText(failure: ServerFailure | null): string | null {
  if (failure === null) return null;
  switch (failure.kind) {
    case 'malformed':
      return CHANNEL_SYSTEM_TEXT.malformed;
    case 'expired':
      return CHANNEL_SYSTEM_TEXT.expired(failure.secondsAgo);
    case 'missing-claims':
      return CHANNEL_SYSTEM_TEXT.missingClaims;
    case 'signer-kid':
      return CHANNEL_SYSTEM_TEXT.signerKid(failure.kid);
    case 'signature':
      return CHANNEL_SYSTEM_TEXT.signatureAtom;
    default:
      return null;
  }
}

function explainFailure(failure: ServerFailure | null, judgement: Judgement): string {
  const cond = judgement.conditional ? ` This is conditional: ${judgement.conditions.join('; ')}.` : '';
  if (failure === null) return `The server would accept this token.${cond}`;
  switch (failure.kind) {
    case 'missing-api-key':
      return 'No API key reached the server.';
    case 'malformed':
      return `Not a valid JWT: ${failure.detail}.`;
    case 'generic':
      return `The server reports this through its generic error: ${failure.detail}.${cond}`;
    case 'signer':
      return `The server cannot pick a key: ${failure.detail}.`;
    case 'signer-kid':
      return `The server has no key for kid "${failure.kid}": ${failure.detail}.`;
    case 'signature':
      return `The signature does not verify (${failure.detail}); the server checks it before expiry.`;
    case 'expired':
      return `The token expired ${failure.secondsAgo} s before this use (server clock).${cond}`;
    case 'missing-claims':
      return `The token has no ${failure.missing.map((m) => `"${m}"`).join(' and ')} claim.${cond}`;
  }
}
