// The Fetch JWKS rules for the panel (src/core/tokens/jwks-fetch.ts), through the session's
// surface: the panel imports nothing from the engine directly.
export {
  JWKS_MAX_BYTES,
  JWKS_TIMEOUT_MS,
  fetchJwks,
  issuersOf,
  jwksOrigins,
  publicKeysOnly,
  typedJwksSource,
  type JwksFetchResult,
  type JwksOrigin,
} from '../tokens/jwks-fetch';
