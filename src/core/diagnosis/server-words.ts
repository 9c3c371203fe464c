// The Realtime server's current words (realtime-facts §3, server 2.129.8). The engine keeps its
// own copy; tests compare it against e2e/fixtures/server-strings.ts so a typo cannot spread.

export const CONNECT_ERROR_TEXT = {
  missingApiKey: 'API key is missing',
  expired: 'Token has expired',
  missingClaims: 'Fields `role` and `exp` are required in JWT',
  malformed: 'The token provided is not a valid JWT',
  signature: 'Failed to validate JWT signature',
  signer: 'Failed to generate JWT signer, check your JWT secret or JWKS configuration',
  signerKid: (kid: string) =>
    `Failed to generate JWT signer for key ID (kid) "${kid}", check your JWT secret or JWKS configuration`,
  disabled: 'Realtime was disabled for this tenant',
  tenantNotFound: 'Tenant not found',
  tooManyUsers: 'Too many connected users',
  tooManyJoins: 'Too many joins per second',
  unknown: 'Error connecting to Realtime',
} as const;

export const JOIN_REASON_TEXT = {
  expired: (n: number) => `InvalidJWTToken: Token has expired ${n} seconds ago`,
  missingClaims: 'InvalidJWTToken: Fields `role` and `exp` are required in JWT',
  expirationInvalid: 'InvalidJWTToken: Token expiration time is invalid',
  malformed: 'MalformedJWT: The token provided is not a valid JWT',
  signature: 'JwtSignatureError: Failed to validate JWT signature',
  signerKid: (kid: string) =>
    `JwtSignerError: Failed to generate JWT signer for key ID (kid) "${kid}", check your JWT secret or JWKS configuration`,
  signer: 'JwtSignerError: Failed to generate JWT signer, check your JWT secret or JWKS configuration',
  unknown: 'Unknown Error on Channel',
} as const;

/** §3.3: what a live channel says when an `access_token` refresh (or the periodic check) fails. */
export const CHANNEL_SYSTEM_TEXT = {
  expired: (n: number) => `Token has expired ${n} seconds ago`,
  missingClaims: 'Fields `role` and `exp` are required in JWT',
  malformed: 'The token provided is not a valid JWT',
  signerKid: (kid: string) =>
    `Failed to generate JWT signer for key ID (kid) "${kid}", check your JWT secret or JWKS configuration`,
  signatureAtom: ':signature_error',
} as const;
