// The server's own copy of the Realtime server's words (realtime-facts.md §3, §3.6). Deliberately
// NOT imported from e2e/fixtures/server-strings.ts: the tests compare this server's answers
// against that table, so a typo here shows up as a failing test instead of spreading.

export const CONNECT = {
  missingApiKey: [401, 'API key is missing'],
  expired: [401, 'Token has expired'],
  missingClaims: [401, 'Fields `role` and `exp` are required in JWT'],
  malformed: [401, 'The token provided is not a valid JWT'],
  signature: [401, 'Failed to validate JWT signature'],
  signer: [401, 'Failed to generate JWT signer, check your JWT secret or JWKS configuration'],
  disabled: [403, 'Realtime was disabled for this tenant'],
  tenantNotFound: [404, 'Tenant not found'],
  unknown: [500, 'Error connecting to Realtime'],
} as const satisfies Record<string, readonly [number, string]>;

export const signerKidText = (kid: string): string =>
  `Failed to generate JWT signer for key ID (kid) "${kid}", check your JWT secret or JWKS configuration`;

export const expiredText = (n: number): string => `Token has expired ${n} seconds ago`;
export const MISSING_CLAIMS_TEXT = 'Fields `role` and `exp` are required in JWT';
export const MALFORMED_TEXT = 'The token provided is not a valid JWT';
export const SIGNATURE_TEXT = 'Failed to validate JWT signature';
export const SIGNER_TEXT = 'Failed to generate JWT signer, check your JWT secret or JWKS configuration';

/** §3.2 join reasons (current server: always "<Code>: <message>", except the unknown error). */
export const JOIN = {
  expired: (n: number) => `InvalidJWTToken: ${expiredText(n)}`,
  missingClaims: `InvalidJWTToken: ${MISSING_CLAIMS_TEXT}`,
  expirationInvalid: 'InvalidJWTToken: Token expiration time is invalid',
  malformed: `MalformedJWT: ${MALFORMED_TEXT}`,
  signature: `JwtSignatureError: ${SIGNATURE_TEXT}`,
  signerKid: (kid: string) => `JwtSignerError: ${signerKidText(kid)}`,
  signer: `JwtSignerError: ${SIGNER_TEXT}`,
  unknown: 'Unknown Error on Channel',
  unauthorized: (sub: string) => `Unauthorized: You do not have permissions to read from this Channel topic: ${sub}`,
  privateOnly: 'PrivateOnly: This project only allows private channels',
  topicRequired: 'TopicNameRequired: You must provide a topic name',
  tenantNotFound: 'TenantNotFound: Tenant with the given ID does not exist',
  disabled: 'RealtimeDisabledForTenant: Realtime disabled for this tenant',
  unmatchedTopic: 'unmatched topic',
} as const;

/** §3.6: the ≤ 2024-08-27 server (v2.30.27 and older). */
export const JOIN_HISTORICAL = {
  invalidJwtToken: 'InvalidJWTToken: Invalid JWT Token',
  unknownWithInspect: (inspect: string) => `UnknownErrorOnChannel: ${inspect}`,
} as const;

/** §3.3: `system` message texts on a live channel (followed by phx_close). */
export const SYSTEM = {
  noPermission: (sub: string) => `You do not have permissions to read from this Channel topic: ${sub}`,
  lostPermission: (sub: string) => `You no longer have permission to read from this Channel topic: ${sub}`,
  serverRequestedDisconnect: 'Server requested disconnect',
  postgresSubscribed: 'Subscribed to PostgreSQL',
  postgresSubscribeError: (params: string, exception: string) =>
    `Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [${params}]. Exception: ${exception}`,
} as const;

export const SYSTEM_HISTORICAL = {
  accessTokenExpired: (details: string) => `Access token has expired: ${details}`,
  invalidAccessToken: (inspect: string) => `Received an invalid access token from client: ${inspect}`,
} as const;

export const CLOSE = { serviceRestart: 1012, goingAway: 1001 } as const;

export const REST_UNAUTHORIZED_BODY = { message: 'Unauthorized' } as const;

export const DEFAULT_BACKOFF_MS = { connect: 2000, channel: 5000 } as const;
