// Critical exposures (realtime-facts §5.2–§5.3): a key that bypasses Row Level Security reaching
// the browser — an sb_secret_ key, or a JWT with role service_role (the legacy service-role key or
// any token minted as service_role). The token rules raise secret-key-in-browser and
// service-role-in-browser on exactly this; the content script counts it for the action badge.
// Pure.

import { decodeToken, type DecodedToken } from './decode';

export type CriticalExposure = 'secret-key' | 'service-role';

/** Which critical exposure a decoded token is, if any. */
export function criticalExposure(token: DecodedToken): CriticalExposure | null {
  if (token.tokenClass === 'secret-key') return 'secret-key';
  if (token.tokenClass === 'legacy-service-role-key' || token.claims?.role === 'service_role') return 'service-role';
  return null;
}

/**
 * The same for a value as it travelled (a header, an apikey parameter, an access_token), with the
 * token as the server reads it (`Bearer `, quotes removed: one key however it was written). Values
 * that cannot be a JWT or an sb_ key are answered without decoding (most of what a page sends).
 */
export function criticalExposureOf(value: string): { kind: CriticalExposure; token: string } | null {
  if (!value.includes('eyJ') && !value.includes('sb_secret_')) return null;
  const token = decodeToken(value);
  const kind = criticalExposure(token);
  return kind === null ? null : { kind, token: token.cleaned };
}
