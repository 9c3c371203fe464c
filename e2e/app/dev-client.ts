/**
 * Browser side of the test-only `/__dev/*` routes (served by e2e/app/dev-routes.ts inside the
 * local server). They hand the demo what a real app would get from its own backend or an
 * identity provider: the project's keys, a test user, and deliberately broken tokens.
 */

export interface DevConfig {
  ref: string;
  url: string;
  keys: { anon: string; service_role: string; publishable: string; secret: string };
  /** The sample user; null on projects other than the server's default one. */
  user: { email: string; password: string } | null;
  otherProject: { ref: string; url: string } | null;
}

export type DevTokenKind = 'expired' | 'expiring' | 'no-role' | 'other-project' | 'valid';

export async function devGet<T>(devBase: string, path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${devBase}${path}`, { cache: 'no-store' });
  } catch (e) {
    throw new Error(`dev route ${path} unreachable at ${devBase}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const body = await res.text();
  if (!res.ok) throw new Error(`dev route ${path} answered ${res.status}: ${body.slice(0, 300)}`);
  try {
    return JSON.parse(body) as T;
  } catch {
    throw new Error(`dev route ${path} answered non-JSON: ${body.slice(0, 100)}`);
  }
}

export function devConfig(devBase: string): Promise<DevConfig> {
  return devGet<DevConfig>(devBase, '/__dev/config');
}

/** A token for the project of `devBase`'s host (or another project, for kind=other-project). */
export async function devToken(
  devBase: string,
  kind: DevTokenKind,
  params: { lifetime?: number; role?: string } = {},
): Promise<string> {
  const q = new URLSearchParams({ kind });
  if (params.lifetime !== undefined) q.set('lifetime', String(params.lifetime));
  if (params.role !== undefined) q.set('role', params.role);
  const r = await devGet<{ token: string }>(devBase, `/__dev/token?${q}`);
  return r.token;
}

/** Make the server push a broadcast to every subscriber of `topic` ("from the server side"). */
export async function devBroadcast(devBase: string, topic: string, event: string, payload: unknown): Promise<void> {
  const q = new URLSearchParams({ topic, event, payload: JSON.stringify(payload) });
  await devGet<{ delivered: number }>(devBase, `/__dev/broadcast?${q}`);
}

/** Set the access-token lifetime Auth uses for the project (GOTRUE_JWT_EXP); returns the previous one. */
export async function devSetLifetime(devBase: string, seconds: number): Promise<number> {
  const r = await devGet<{ previous: number }>(devBase, `/__dev/lifetime?seconds=${seconds}`);
  return r.previous;
}

/** Test knob: joins of `topic` are never answered (on), or answered again (off). */
export async function devSilentJoin(devBase: string, topic: string, on: boolean): Promise<void> {
  await devGet(devBase, `/__dev/silent-join?topic=${encodeURIComponent(topic)}&on=${on ? 1 : 0}`);
}

/** Auth issues tokens for this host name (the Supabase CLI's API_EXTERNAL_URL); null = the request's. */
export async function devSetIssuerHost(devBase: string, host: string | null): Promise<string | null> {
  const r = await devGet<{ previous: string | null }>(devBase, `/__dev/issuer?host=${encodeURIComponent(host ?? '')}`);
  return r.previous;
}
