// A local stand-in for a Supabase project: Realtime socket + REST broadcast, Auth, REST.
// Reference for Claimscope's tests: it never imports from src/ (see README.md).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { AuthService, type CreateUserOptions, type User } from './auth.js';
import { ServerContext, type Knobs, type LogEntry } from './context.js';
import { isObject, sendJson } from './http-util.js';
import {
  createProject,
  inUseKey,
  newSigningKey,
  signCompact,
  type ChannelPolicy,
  type CreateProjectOptions,
  type Project,
  type SigningAlg,
  type SigningKey,
} from './projects.js';
import { RealtimeHub } from './realtime.js';
import { handleRealtimeBroadcast, handleRest } from './rest.js';
import { DEFAULT_BACKOFF_MS } from './strings.js';

export type { ChannelPolicy, CreateProjectOptions, Knobs, LogEntry, Project, SigningAlg, SigningKey, User, CreateUserOptions };

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface ServerOptions {
  /** 0 = ephemeral port (tests). */
  port: number;
  /** Always 127.0.0.1; present only so callers can see it. */
  host: '127.0.0.1';
  /** Options of the default project (ref, secret, signing alg, token lifetime…). */
  project: CreateProjectOptions;
  /** Initial knob values (backoffs default to production: 2000 / 5000 ms). */
  knobs: Partial<Knobs>;
  /** Files served under `/app/` (GET/HEAD), e.g. the demo or test page. */
  staticDir: string | undefined;
  /** Extra handlers tried before everything else; return true when handled. */
  routes: Route[];
  /** Create the sample user `user@example.com` / `password123` in the default project. */
  sampleUser: boolean;
}

export interface MintOptions {
  /** Project whose keys sign (default: the default project). */
  project?: Project;
  /**
   * Key: 'legacy' = the project's HS256 secret (default); 'current' = the in-use signing key;
   * a kid of one of the project's signing keys; `{ secret }` = HS256 with any secret;
   * `{ key, alg }` = any key; 'none' = unsigned (alg none, empty signature).
   */
  signWith?: 'legacy' | 'current' | string | { secret: string } | { key: CryptoKey | Uint8Array; alg: string } | 'none';
  /** Extra/overriding header fields (e.g. a `kid`, or `typ`). */
  header?: Record<string, unknown>;
}

export interface TestServer {
  url: string;
  port: number;
  /** `http://<ref>.supabase.co:<port>`: needs a host-resolver rule mapping *.supabase.co to 127.0.0.1. */
  projectUrl(project?: Project): string;
  projects: Map<string, Project>;
  defaultProject: Project;
  /** Mutable at runtime: clockOffsetMs, wordings, backoffs, claimValidators… */
  knobs: Knobs;
  /** Server log codes (MalformedWebSocketMessage, JoinError, ChannelShutdown, RlsPolicyError…). */
  logs: LogEntry[];
  sampleUser: { email: string; password: string } | undefined;
  /** The server's now, in ms (real clock + clockOffsetMs). */
  now(): number;
  mintToken(claims: unknown, opts?: MintOptions): Promise<string>;
  createUser(email: string, password: string, opts?: CreateUserOptions & { project?: Project }): User;
  createProject(opts?: CreateProjectOptions): Promise<Project>;
  /** Delete a tenant; open sockets stay (their next join gets TenantNotFound + close 1001) unless drain. */
  removeProject(ref: string, opts?: { drain?: boolean }): void;
  /** Change the legacy secret: drains every socket of the project with 1012 (§3.4). */
  setJwtSecret(ref: string, secret: string): void;
  /** New in-use key (the old one becomes previously_used); JWKS change → drain 1012 unless drain:false. */
  rotateSigningKey(ref: string, alg?: SigningAlg, opts?: { drain?: boolean }): Promise<SigningKey>;
  /** Revoke a kid: removed from the tenant JWKS and Auth's JWKS; drain 1012 unless drain:false. */
  revokeKid(kid: string, opts?: { drain?: boolean }): void;
  /** Close every socket of a project with "Server requested disconnect" + 1012. */
  drain(ref: string): number;
  /** Run the periodic token re-check (§4.4) on all live channels now. */
  confirmTokensNow(): Promise<void>;
  setPolicies(ref: string, policies: ChannelPolicy[]): void;
  /** Open sockets / joined topics (for assertions). */
  socketCount(ref?: string): number;
  joinedTopics(ref?: string): string[];
  close(): Promise<void>;
}

const DEFAULT_REF = 'claimscopelocaldemox';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Paths the hosted gateway puts CORS on (guess: Kong's cors plugin, any origin, echoed headers). */
const CORS_PREFIXES = ['/auth/v1', '/rest/v1', '/realtime/v1/api', '/storage/v1', '/functions/v1'];
const DEFAULT_ALLOWED_HEADERS =
  'authorization, x-client-info, apikey, content-type, x-supabase-api-version, accept-profile, content-profile, prefer, range, x-upsert';

function setCors(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'Content-Range, X-Supabase-Api-Version, Date');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS');
    const asked = req.headers['access-control-request-headers'];
    res.setHeader('Access-Control-Allow-Headers', typeof asked === 'string' && asked ? asked : DEFAULT_ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', '3600');
  }
}

async function serveStatic(dir: string, urlPath: string, res: ServerResponse, headOnly: boolean): Promise<boolean> {
  const rel = decodeURIComponent(urlPath.replace(/^\/app\/?/, '')) || 'index.html';
  const root = resolve(dir);
  const file = normalize(join(root, rel));
  if (file !== root && !file.startsWith(root + sep)) return false;
  try {
    const st = await stat(file);
    const target = st.isDirectory() ? join(file, 'index.html') : file;
    const data = await readFile(target);
    res.writeHead(200, { 'Content-Type': MIME[extname(target)] ?? 'application/octet-stream', 'Content-Length': data.length, 'Cache-Control': 'no-store' });
    res.end(headOnly ? undefined : data);
    return true;
  } catch {
    return false;
  }
}

export async function startServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const knobs: Knobs = {
    clockOffsetMs: 0,
    wordings: 'current',
    connectBackoffMs: DEFAULT_BACKOFF_MS.connect,
    channelBackoffMs: DEFAULT_BACKOFF_MS.channel,
    claimValidators: {},
    refreshTokenReuseIntervalMs: 10_000,
    confirmTokenIntervalMs: 5 * 60_000,
    silentJoinTopics: [],
    authIssuerHost: null,
    ...options.knobs,
  };
  const defaultProject = await createProject({ ref: DEFAULT_REF, ...options.project });
  const ctx = new ServerContext(knobs, defaultProject.ref);
  ctx.projects.set(defaultProject.ref, defaultProject);
  const hub = new RealtimeHub(ctx);
  const auth = new AuthService(ctx);
  const routes = options.routes ?? [];
  const staticDir = options.staticDir;

  let sampleUser: TestServer['sampleUser'];
  if (options.sampleUser !== false) {
    sampleUser = { email: 'user@example.com', password: 'password123' };
    auth.createUser(defaultProject, sampleUser.email, sampleUser.password);
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // The Date header always reflects the server's (possibly offset) clock.
    res.setHeader('Date', ctx.dateHeader());
    const url = new URL(req.url ?? '/', 'http://local');
    for (const route of routes) if (await route(req, res, url)) return;
    const path = url.pathname;
    const corsPath = CORS_PREFIXES.some((p) => path === p || path.startsWith(p + '/'));
    if (corsPath) {
      setCors(req, res);
      if (req.method === 'OPTIONS') {
        res.writeHead(200, { 'Content-Length': 0 });
        res.end();
        return;
      }
    }
    if (staticDir && (path === '/app' || path.startsWith('/app/')) && (req.method === 'GET' || req.method === 'HEAD')) {
      if (await serveStatic(staticDir, path, res, req.method === 'HEAD')) return;
      return sendJson(res, 404, { error: 'not found' });
    }
    if (path === '/' && req.method === 'GET') {
      return sendJson(res, 200, { name: 'claimscope local Supabase stand-in', projects: [...ctx.projects.keys()] });
    }
    const project = ctx.projectForHost(req.headers.host);
    if (!project) return sendJson(res, 404, { message: 'Tenant not found' });
    if (path.startsWith('/auth/v1/') || path === '/auth/v1') {
      await auth.handle(project, req, res, url);
      return;
    }
    if (path.startsWith('/rest/v1/') || path === '/rest/v1') return handleRest(ctx, project, req, res, url);
    if (path.startsWith('/realtime/v1/api/broadcast') || path.startsWith('/api/broadcast')) {
      return handleRealtimeBroadcast(ctx, hub, project, req, res, url);
    }
    sendJson(res, 404, { message: 'no Route matched with those values' });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      ctx.log('InternalError', String(e));
      if (!res.headersSent) sendJson(res, 500, { message: 'internal error', detail: String(e) });
      else res.end();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    hub.handleUpgrade(req, socket, head).catch((e: unknown) => {
      ctx.log('InternalError', String(e));
      socket.destroy();
    });
  });
  await new Promise<void>((r, j) => {
    server.once('error', j);
    server.listen(options.port ?? 0, '127.0.0.1', () => r());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const projectByRef = (ref: string): Project => {
    const p = ctx.projects.get(ref);
    if (!p) throw new Error(`no project with ref "${ref}"`);
    return p;
  };

  const api: TestServer = {
    url,
    port,
    projectUrl: (p = defaultProject) => `http://${p.ref}.supabase.co:${port}`,
    projects: ctx.projects,
    defaultProject,
    knobs,
    logs: ctx.logs,
    sampleUser,
    now: () => ctx.nowMs(),
    async mintToken(claims, opts = {}) {
      const p = opts.project ?? defaultProject;
      const w = opts.signWith ?? 'legacy';
      if (w === 'none') {
        const h = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', ...opts.header })).toString('base64url');
        return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
      }
      if (w === 'legacy' || (typeof w === 'object' && 'secret' in w)) {
        const secret = w === 'legacy' ? p.jwtSecret : w.secret;
        return signCompact({ alg: 'HS256', typ: 'JWT', ...opts.header }, claims, new TextEncoder().encode(secret));
      }
      if (typeof w === 'object') return signCompact({ alg: w.alg, typ: 'JWT', ...opts.header }, claims, w.key);
      const key = w === 'current' ? inUseKey(p) : p.signingKeys.find((k) => k.kid === w);
      if (!key) throw new Error(w === 'current' ? `project ${p.ref} has no in-use signing key` : `no signing key with kid ${w}`);
      return signCompact({ alg: key.alg, kid: key.kid, typ: 'JWT', ...opts.header }, claims, key.privateKey);
    },
    createUser(email, password, opts = {}) {
      const p = opts.project ?? defaultProject;
      if (auth.findUser(p, email)) throw new Error(`user ${email} already exists`);
      return auth.createUser(p, email.toLowerCase(), password, opts);
    },
    async createProject(opts = {}) {
      const p = await createProject(opts);
      if (ctx.projects.has(p.ref)) throw new Error(`project ${p.ref} already exists`);
      ctx.projects.set(p.ref, p);
      return p;
    },
    removeProject(ref, opts = {}) {
      projectByRef(ref);
      if (opts.drain) hub.drain(ref);
      ctx.projects.delete(ref);
    },
    setJwtSecret(ref, secret) {
      projectByRef(ref).jwtSecret = secret;
      hub.drain(ref);
    },
    async rotateSigningKey(ref, alg = 'ES256', opts = {}) {
      const p = projectByRef(ref);
      const key = await newSigningKey(alg, 'in_use');
      for (const k of p.signingKeys) if (k.status === 'in_use') k.status = 'previously_used';
      p.signingKeys.push(key);
      if (alg !== 'HS256') p.authSigning = 'asymmetric';
      if (opts.drain !== false) hub.drain(ref);
      return key;
    },
    revokeKid(kid, opts = {}) {
      for (const p of ctx.projects.values()) {
        const key = p.signingKeys.find((k) => k.kid === kid);
        if (!key) continue;
        key.status = 'revoked';
        if (opts.drain !== false) hub.drain(p.ref);
        return;
      }
      throw new Error(`no signing key with kid ${kid}`);
    },
    drain: (ref) => hub.drain(ref),
    confirmTokensNow: () => hub.confirmAllTokens(),
    setPolicies(ref, policies) {
      projectByRef(ref).policies = policies.map((x) => {
        if (!isObject(x) || typeof x.topic !== 'string') throw new Error('a policy needs a string topic');
        return { ...x };
      });
    },
    socketCount: (ref) => hub.socketCount(ref),
    joinedTopics: (ref) => hub.joinedTopics(ref),
    async close() {
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return api;
}
