// /rest/v1 (PostgREST's JWT answers) and /realtime/v1/api/broadcast (§2.5, §3.5).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import type { ServerContext } from './context.js';
import { apikeyOf, bearer, gatewayKeyCheck, header, isObject, readBody, sendEmpty, sendJson } from './http-util.js';
import { gatewayJwtFor, isPostgresRole, publicJwks, type Project } from './projects.js';
import type { RealtimeHub } from './realtime.js';
import { REST_UNAUTHORIZED_BODY } from './strings.js';
import { verifyRealtimeToken } from './verify.js';

/** Kong's swap of an sb_ key (as Bearer, or as apikey when there is no Authorization) for a JWT. */
async function gatewayToken(p: Project, req: IncomingMessage, url: URL, nowSec: number): Promise<string | undefined> {
  const b = bearer(req);
  const raw = b ?? apikeyOf(req, url);
  if (raw === undefined) return undefined;
  return (await gatewayJwtFor(p, raw, nowSec)) ?? raw;
}

function pgrstError(res: ServerResponse, status: number, code: string, message: string): void {
  const headers: Record<string, string> = {};
  if (status === 401) headers['WWW-Authenticate'] = `Bearer error="invalid_token", error_description="${message}"`;
  sendJson(res, status, { code, details: null, hint: null, message }, headers);
}

/** PostgREST's JWT handling (v12-style messages; the exact texts are a guess, see README). */
export async function handleRest(ctx: ServerContext, p: Project, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (!gatewayKeyCheck(req, url, p, res)) return;
  const token = await gatewayToken(p, req, url, ctx.nowSec());
  let role: unknown = 'anon';
  if (token !== undefined) {
    const parts = token.split('.');
    if (parts.length !== 3) return pgrstError(res, 401, 'PGRST301', `Expected 3 parts in JWT; got ${parts.length}`);
    let claims: Record<string, unknown>;
    try {
      const hdr = decodeProtectedHeader(token);
      const jwk = hdr.kid ? publicJwks(p).find((k) => k.kid === hdr.kid) : undefined;
      const key = jwk ? await importJWK(jwk, String(hdr.alg)) : new TextEncoder().encode(p.jwtSecret);
      const { payload } = await compactVerify(token, key);
      claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
      if (!isObject(claims)) throw new Error('claims');
    } catch {
      return pgrstError(res, 401, 'PGRST301', 'JWSError JWSInvalidSignature');
    }
    if (typeof claims.exp === 'number' && claims.exp <= ctx.nowSec()) return pgrstError(res, 401, 'PGRST303', 'JWT expired');
    if ('role' in claims) role = claims.role;
  }
  if (!isPostgresRole(p, role)) {
    return sendJson(res, 400, { code: '22023', details: null, hint: null, message: `role "${String(role)}" does not exist` });
  }
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') {
    return sendJson(res, 200, [], { 'Content-Range': '*/*' });
  }
  await readBody(req).catch(() => Buffer.alloc(0));
  sendEmpty(res, method === 'POST' ? 201 : 204);
}

/**
 * `/realtime/v1/api/broadcast` (batch) and `/realtime/v1/api/broadcast/<sub>/events/<event>`
 * (httpSend). Authorization wins over apikey; any token failure is 401 {"message":"Unauthorized"}.
 */
export async function handleRealtimeBroadcast(
  ctx: ServerContext,
  hub: RealtimeHub,
  p: Project,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (req.method !== 'POST') return sendJson(res, 405, { message: 'Method not allowed' });
  const raw = bearer(req) ?? header(req, 'apikey');
  const token = raw === undefined ? undefined : ((await gatewayJwtFor(p, raw, ctx.nowSec())) ?? raw);
  const verdict = await verifyRealtimeToken(token, ctx.tenantKeys(p), ctx.verifyOptions());
  if (!verdict.ok) {
    if (verdict.error.kind === 'signer' && verdict.error.kid) ctx.log('JwtSignerError', verdict.error.kid);
    return sendJson(res, 401, REST_UNAUTHORIZED_BODY);
  }
  const body = await readBody(req);
  // Hosted shape /realtime/v1/api/…, self-hosted shape /api/… (the gateway strips /realtime/v1).
  const path = url.pathname.replace(/^\/realtime\/v1/, '');
  const single = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/.exec(path);
  if (single) {
    const sub = decodeURIComponent(single[1]);
    const event = decodeURIComponent(single[2]);
    const isBinary = (header(req, 'content-type') ?? '').startsWith('application/octet-stream');
    if (!isBinary) {
      try {
        JSON.parse(body.toString('utf8'));
      } catch {
        return sendJson(res, 422, { message: 'Unknown error' });
      }
    }
    // REST single broadcast fans out as kind 4 (§1.4).
    hub.broadcastFromRest(p, sub, url.searchParams.get('private') === 'true', verdict.claims, {
      kind: 'user',
      userEvent: event,
      encoding: isBinary ? 0 : 1,
      data: body,
    });
    return sendEmpty(res, 202);
  }
  if (path !== '/api/broadcast') return sendJson(res, 404, { message: 'Not found' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return sendJson(res, 422, { message: 'Unknown error' });
  }
  const messages = isObject(parsed) && Array.isArray(parsed.messages) ? parsed.messages : undefined;
  if (!messages || !messages.every((m) => isObject(m) && typeof m.topic === 'string' && typeof m.event === 'string')) {
    return sendJson(res, 422, { message: 'Unknown error' });
  }
  for (const m of messages as Array<Record<string, unknown>>) {
    hub.broadcastFromRest(p, m.topic as string, m.private === true, verdict.claims, {
      kind: 'json',
      payload: { type: 'broadcast', event: m.event, payload: m.payload ?? {} },
    });
  }
  sendEmpty(res, 202);
}
