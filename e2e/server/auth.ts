// A GoTrue-compatible /auth/v1: password and anonymous sign-in, rotating refresh tokens with
// reuse detection, sign-out, /user and the JWKS. Access tokens carry the claim set of §5.1.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { decodeProtectedHeader, importJWK, jwtVerify, type JWTPayload } from 'jose';
import type { ServerContext } from './context.js';
import { bearer, gatewayKeyCheck, header, isObject, originOf, readJson, sendEmpty, sendJson } from './http-util.js';
import { inUseKey, publicJwks, signCompact, type Project } from './projects.js';

export interface User {
  id: string;
  email: string;
  password: string | undefined;
  role: string;
  aud: string;
  isAnonymous: boolean;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  createdAt: string;
}

export interface CreateUserOptions {
  /** `role` claim of the user's access tokens (default "authenticated"). */
  role?: string;
  appMetadata?: Record<string, unknown>;
  userMetadata?: Record<string, unknown>;
}

interface Session {
  id: string;
  userId: string;
  method: string;
  createdSec: number;
  revoked: boolean;
}

interface RefreshToken {
  token: string;
  sessionId: string;
  revoked: boolean;
  revokedAtMs: number;
  child: string | undefined;
}

/** GoTrue's two error shapes: the API-version-2024-01-01 one, and the older one (guess from memory of supabase/auth `HTTPError`). */
function authError(req: IncomingMessage, res: ServerResponse, status: number, code: string, msg: string): void {
  const versioned = (header(req, 'x-supabase-api-version') ?? '') >= '2024-01-01';
  const body = versioned ? { code, message: msg } : { code: status, error_code: code, msg };
  sendJson(res, status, body, { 'X-Supabase-Api-Version': '2024-01-01' });
}

export class AuthService {
  /** Users and sessions per project ref. */
  private readonly users = new Map<string, Map<string, User>>();
  private readonly sessions = new Map<string, Session>();
  private readonly refreshTokens = new Map<string, RefreshToken>();

  constructor(private readonly ctx: ServerContext) {}

  private usersOf(ref: string): Map<string, User> {
    let m = this.users.get(ref);
    if (!m) this.users.set(ref, (m = new Map()));
    return m;
  }

  createUser(p: Project, email: string, password: string | undefined, opts: CreateUserOptions = {}): User {
    const user: User = {
      id: randomUUID(),
      email,
      password,
      role: opts.role ?? 'authenticated',
      aud: 'authenticated',
      isAnonymous: email === '' && password === undefined,
      appMetadata: opts.appMetadata ?? (email ? { provider: 'email', providers: ['email'] } : {}),
      userMetadata: opts.userMetadata ?? {},
      createdAt: new Date(this.ctx.nowMs()).toISOString(),
    };
    this.usersOf(p.ref).set(user.id, user);
    return user;
  }

  findUser(p: Project, email: string): User | undefined {
    return [...this.usersOf(p.ref).values()].find((u) => u.email !== '' && u.email === email.toLowerCase());
  }

  private userJson(u: User): Record<string, unknown> {
    const now = new Date(this.ctx.nowMs()).toISOString();
    return {
      id: u.id,
      aud: u.aud,
      role: u.role,
      email: u.email,
      email_confirmed_at: u.email ? u.createdAt : undefined,
      phone: '',
      confirmed_at: u.email ? u.createdAt : undefined,
      last_sign_in_at: now,
      app_metadata: u.appMetadata,
      user_metadata: u.userMetadata,
      identities: [],
      created_at: u.createdAt,
      updated_at: now,
      is_anonymous: u.isAnonymous,
    };
  }

  /** `GenerateAccessToken` (§5.1): registered + custom claims, aud as a string, no ref/jti. */
  async accessToken(p: Project, u: User, s: Session, origin: string): Promise<{ token: string; exp: number }> {
    const iat = this.ctx.nowSec();
    const exp = iat + p.accessTokenLifetimeSec;
    const claims = {
      iss: `${origin}/auth/v1`,
      sub: u.id,
      aud: u.aud,
      exp,
      iat,
      email: u.email,
      phone: '',
      app_metadata: u.appMetadata,
      user_metadata: u.userMetadata,
      role: u.role,
      aal: 'aal1',
      amr: [{ method: s.method, timestamp: s.createdSec }],
      session_id: s.id,
      is_anonymous: u.isAnonymous,
    };
    const key = inUseKey(p);
    if (p.authSigning === 'asymmetric' && key) {
      return { token: await signCompact({ alg: key.alg, kid: key.kid, typ: 'JWT' }, claims, key.privateKey), exp };
    }
    const hdr: { alg: string; kid?: string; typ: string } = { alg: 'HS256', typ: 'JWT' };
    if (p.legacyKid) hdr.kid = p.legacyKid;
    return { token: await signCompact(hdr, claims, new TextEncoder().encode(p.jwtSecret)), exp };
  }

  private newRefreshToken(sessionId: string): RefreshToken {
    const rt: RefreshToken = { token: randomBytes(9).toString('base64url'), sessionId, revoked: false, revokedAtMs: 0, child: undefined };
    this.refreshTokens.set(rt.token, rt);
    return rt;
  }

  /** Create a session for a user; returns the body GoTrue sends (what supabase-js expects). */
  async issueSession(p: Project, u: User, method: string, origin: string): Promise<Record<string, unknown>> {
    const s: Session = { id: randomUUID(), userId: u.id, method, createdSec: this.ctx.nowSec(), revoked: false };
    this.sessions.set(s.id, s);
    return this.sessionBody(p, u, s, this.newRefreshToken(s.id), origin);
  }

  private async sessionBody(p: Project, u: User, s: Session, rt: RefreshToken, origin: string): Promise<Record<string, unknown>> {
    const { token, exp } = await this.accessToken(p, u, s, origin);
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: p.accessTokenLifetimeSec,
      expires_at: exp,
      refresh_token: rt.token,
      user: this.userJson(u),
    };
  }

  /** GoTrue's own JWT check (golang-jwt): signature with the secret or a JWKS key, then exp. */
  private async verifyUserJwt(p: Project, token: string): Promise<{ ok: true; claims: JWTPayload } | { ok: false; msg: string }> {
    try {
      const hdr = decodeProtectedHeader(token);
      const jwk = hdr.kid ? p.signingKeys.find((k) => k.kid === hdr.kid && k.status !== 'revoked') : undefined;
      const key = jwk
        ? jwk.alg === 'HS256'
          ? jwk.privateKey
          : await importJWK(jwk.jwk, jwk.alg)
        : new TextEncoder().encode(p.jwtSecret);
      const { payload } = await jwtVerify(token, key, { currentDate: new Date(this.ctx.nowMs()), clockTolerance: 0 });
      return { ok: true, claims: payload };
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED') return { ok: false, msg: 'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired' };
      if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return { ok: false, msg: 'invalid JWT: unable to parse or verify signature, token signature is invalid' };
      return { ok: false, msg: 'invalid JWT: unable to parse or verify signature, token is malformed' };
    }
  }

  /** GoTrue `requireAuthentication` + session lookup. */
  private async authenticate(p: Project, req: IncomingMessage, res: ServerResponse): Promise<{ user: User; session: Session | undefined } | undefined> {
    const token = bearer(req);
    if (!token) {
      authError(req, res, 401, 'no_authorization', 'This endpoint requires a valid Bearer token');
      return undefined;
    }
    const v = await this.verifyUserJwt(p, token);
    if (!v.ok) {
      authError(req, res, 403, 'bad_jwt', v.msg);
      return undefined;
    }
    if (typeof v.claims.sub !== 'string' || v.claims.sub === '') {
      authError(req, res, 403, 'bad_jwt', 'invalid claim: missing sub claim');
      return undefined;
    }
    const user = this.usersOf(p.ref).get(v.claims.sub);
    if (!user) {
      authError(req, res, 403, 'user_not_found', 'User from sub claim in JWT does not exist');
      return undefined;
    }
    const sid = (v.claims as Record<string, unknown>).session_id;
    const session = typeof sid === 'string' ? this.sessions.get(sid) : undefined;
    if (typeof sid === 'string' && (!session || session.revoked)) {
      authError(req, res, 403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
      return undefined;
    }
    return { user, session };
  }

  /** Handles /auth/v1/*; returns false when the path is not an Auth route. */
  async handle(p: Project, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname.replace(/^\/auth\/v1/, '') || '/';
    const method = req.method ?? 'GET';
    if (path === '/.well-known/jwks.json' && method === 'GET') {
      // Asymmetric public keys only; HS/oct keys are never exposed (§5.1).
      sendJson(res, 200, { keys: publicJwks(p) }, { 'Cache-Control': 'public, max-age=600' });
      return true;
    }
    if (!gatewayKeyCheck(req, url, p, res)) return true;
    const origin = issuerOrigin(originOf(req), this.ctx.knobs.authIssuerHost);
    const vh = { 'X-Supabase-Api-Version': '2024-01-01' };

    if (path === '/settings' && method === 'GET') {
      sendJson(res, 200, { external: { email: true, anonymous_users: true }, disable_signup: false, mailer_autoconfirm: true, phone_autoconfirm: false }, vh);
      return true;
    }
    if (path === '/token' && method === 'POST') {
      const grant = url.searchParams.get('grant_type');
      const body = await readJson(req);
      const b = body.ok && isObject(body.value) ? body.value : {};
      if (!body.ok) {
        authError(req, res, 400, 'bad_json', 'Could not parse request body as JSON: ' + body.error);
        return true;
      }
      if (grant === 'password') {
        const u = typeof b.email === 'string' ? this.findUser(p, b.email) : undefined;
        if (!u || u.password === undefined || u.password !== b.password) {
          authError(req, res, 400, 'invalid_credentials', 'Invalid login credentials');
          return true;
        }
        sendJson(res, 200, await this.issueSession(p, u, 'password', origin), vh);
        return true;
      }
      if (grant === 'refresh_token') {
        await this.refresh(p, req, res, b.refresh_token, origin);
        return true;
      }
      authError(req, res, 400, 'unsupported_grant_type', 'unsupported_grant_type');
      return true;
    }
    if (path === '/signup' && method === 'POST') {
      const body = await readJson(req);
      const b = body.ok && isObject(body.value) ? body.value : {};
      const data = isObject(b.data) ? b.data : {};
      if (!b.email && !b.phone && !b.password) {
        // Anonymous sign-in: is_anonymous true, role/aud from the defaults (§5.1).
        const u = this.createUser(p, '', undefined, { userMetadata: data });
        sendJson(res, 200, await this.issueSession(p, u, 'anonymous', origin), vh);
        return true;
      }
      if (typeof b.email !== 'string' || typeof b.password !== 'string') {
        authError(req, res, 400, 'validation_failed', 'Signup requires a valid password');
        return true;
      }
      if (this.findUser(p, b.email)) {
        authError(req, res, 422, 'user_already_exists', 'User already registered');
        return true;
      }
      const u = this.createUser(p, b.email.toLowerCase(), b.password, { userMetadata: data });
      sendJson(res, 200, await this.issueSession(p, u, 'password', origin), vh);
      return true;
    }
    if (path === '/logout' && method === 'POST') {
      const who = await this.authenticate(p, req, res);
      if (!who) return true;
      const scope = url.searchParams.get('scope') ?? 'global';
      for (const s of this.sessions.values()) {
        if (s.userId !== who.user.id) continue;
        const isCurrent = s.id === who.session?.id;
        if (scope === 'global' || (scope === 'local' && isCurrent) || (scope === 'others' && !isCurrent)) this.revokeSession(s);
      }
      sendEmpty(res, 204, vh);
      return true;
    }
    if (path === '/user' && method === 'GET') {
      const who = await this.authenticate(p, req, res);
      if (!who) return true;
      sendJson(res, 200, this.userJson(who.user), vh);
      return true;
    }
    authError(req, res, 404, 'not_found', 'Not found');
    return true;
  }

  private revokeSession(s: Session): void {
    s.revoked = true;
    for (const rt of this.refreshTokens.values()) if (rt.sessionId === s.id) rt.revoked = true;
  }

  /**
   * Rotating refresh tokens: each use revokes the token and issues a child. Reusing a revoked token
   * within the reuse interval returns the active child; later, GoTrue treats it as a stolen token,
   * revokes the whole session and answers 400 refresh_token_already_used.
   */
  private async refresh(p: Project, req: IncomingMessage, res: ServerResponse, presented: unknown, origin: string): Promise<void> {
    const rt = typeof presented === 'string' ? this.refreshTokens.get(presented) : undefined;
    const session = rt ? this.sessions.get(rt.sessionId) : undefined;
    const user = session ? this.usersOf(p.ref).get(session.userId) : undefined;
    if (!rt || !session || !user) {
      authError(req, res, 400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
      return;
    }
    if (rt.revoked) {
      const child = rt.child ? this.refreshTokens.get(rt.child) : undefined;
      const withinInterval = this.ctx.nowMs() - rt.revokedAtMs < this.ctx.knobs.refreshTokenReuseIntervalMs;
      if (!session.revoked && withinInterval && child && !child.revoked) {
        sendJson(res, 200, await this.sessionBody(p, user, session, child, origin), { 'X-Supabase-Api-Version': '2024-01-01' });
        return;
      }
      this.revokeSession(session);
      authError(req, res, 400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
      return;
    }
    const next = this.newRefreshToken(session.id);
    rt.revoked = true;
    rt.revokedAtMs = this.ctx.nowMs();
    rt.child = next.token;
    sendJson(res, 200, await this.sessionBody(p, user, session, next, origin), { 'X-Supabase-Api-Version': '2024-01-01' });
  }
}

/** The origin Auth issues tokens for: the request's, or with the configured host name (port kept). */
function issuerOrigin(requestOrigin: string, host: string | null): string {
  if (!host) return requestOrigin;
  const url = new URL(requestOrigin);
  url.hostname = host;
  return url.origin;
}
