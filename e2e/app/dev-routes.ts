/**
 * Test-only HTTP routes for the demo app, plugged into the local server with
 * `startServer({ routes: [devRoutes(() => server)] })`. Node side only: never bundled into the app.
 *
 * They stand in for what a real app gets from elsewhere (its backend, an identity provider, a
 * colleague's stale token), so the demo can produce each broken-token case on demand:
 *
 *   GET /__dev/config                    project of the Host: { ref, url, keys{anon,service_role,
 *                                        publishable,secret}, user{email,password}, otherProject }
 *   GET /__dev/token?kind=…[&lifetime=s][&role=r]
 *        kind=valid          a user access token as Auth would sign it (§5.1), exp = now+lifetime (3600)
 *        kind=expiring       same, exp = now+lifetime (default 20 s)
 *        kind=expired        exp = now−120 s; with role=anon it has the legacy anon-key shape (§5.2),
 *                            usable as an expired `apikey`
 *        kind=no-role        a user access token without the `role` claim
 *        kind=other-project  a valid user token signed by ANOTHER project's key
 *   GET /__dev/broadcast?topic=t&event=e&payload=<json>
 *                            the project's backend broadcasts through the REST API with the
 *                            service_role key (§2.5): the server fans it out to subscribers
 *   GET /__dev/lifetime?seconds=N  sets the project's GOTRUE_JWT_EXP; answers { previous }
 *   GET /__dev/silent-join?topic=t&on=1|0  joins of sub-topic t are never answered (or again answered)
 *   GET /__dev/issuer?host=h  Auth issues tokens with iss http://h:<port>/auth/v1 (no host: the request's)
 *
 * "now" is always the server's clock (knobs.clockOffsetMs included). All answers are JSON with
 * `Access-Control-Allow-Origin: *`; bad parameters get a 400 with a message.
 */
import { randomUUID } from 'node:crypto';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Project, Route, TestServer } from '../server/index';

export interface DevRoutesOptions {
  /** Project whose tokens `kind=other-project` returns; created on first use when absent. */
  otherProject?: () => Project | undefined;
}

const KINDS = ['valid', 'expiring', 'expired', 'no-role', 'other-project'] as const;
type Kind = (typeof KINDS)[number];

export function devRoutes(getServer: () => TestServer | undefined, opts: DevRoutesOptions = {}): Route {
  let createdOther: Project | undefined;

  const otherProject = async (server: TestServer, self: Project): Promise<Project> => {
    const given = opts.otherProject?.();
    if (given && given.ref !== self.ref) return given;
    createdOther ??= await server.createProject({});
    return createdOther;
  };

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (!url.pathname.startsWith('/__dev/')) return false;
    const server = getServer();
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'no-store');
    if (!server) return send(res, 503, { error: 'server not ready' });
    if (req.method === 'OPTIONS') return send(res, 204, null);
    if (req.method !== 'GET') return send(res, 405, { error: 'dev routes are GET only' });
    const project = projectForHost(server, req.headers.host);
    if (!project) return send(res, 404, { error: `no project for host ${req.headers.host ?? '(none)'}` });
    const q = url.searchParams;
    try {
      switch (url.pathname) {
        case '/__dev/config': {
          const other = await otherProject(server, project);
          return send(res, 200, {
            ref: project.ref,
            url: origin(req),
            keys: {
              anon: project.anonKey,
              service_role: project.serviceRoleKey,
              publishable: project.publishableKey,
              secret: project.secretKey,
            },
            user: project === server.defaultProject ? server.sampleUser ?? null : null,
            otherProject: { ref: other.ref, url: server.projectUrl(other) },
          });
        }
        case '/__dev/token': {
          const kind = q.get('kind') ?? '';
          if (!(KINDS as readonly string[]).includes(kind)) {
            return send(res, 400, { error: `kind must be one of ${KINDS.join(', ')}; got "${kind}"` });
          }
          const lifetime = intParam(q.get('lifetime'), kind === 'expiring' ? 20 : 3600);
          if (lifetime === null) return send(res, 400, { error: `lifetime must be a positive integer (seconds); got "${q.get('lifetime')}"` });
          const role = q.get('role') ?? undefined;
          const token = await mint(server, project, kind as Kind, lifetime, role, origin(req), () => otherProject(server, project));
          return send(res, 200, { token });
        }
        case '/__dev/broadcast': {
          const topic = q.get('topic');
          const event = q.get('event');
          if (!topic || !event) return send(res, 400, { error: 'topic and event are required' });
          let payload: unknown = {};
          try {
            payload = JSON.parse(q.get('payload') ?? '{}');
          } catch {
            return send(res, 400, { error: 'payload must be JSON' });
          }
          const status = await restBroadcast(server.port, req.headers.host ?? `127.0.0.1:${server.port}`, project.serviceRoleKey, {
            messages: [{ topic, event, payload }],
          });
          return send(res, status === 202 ? 200 : 502, { restStatus: status });
        }
        case '/__dev/lifetime': {
          const seconds = intParam(q.get('seconds'), -1);
          if (seconds === null || seconds < 1) return send(res, 400, { error: 'seconds must be a positive integer' });
          const previous = project.accessTokenLifetimeSec;
          project.accessTokenLifetimeSec = seconds;
          return send(res, 200, { previous, seconds });
        }
        case '/__dev/silent-join': {
          // ?topic=<sub-topic>&on=1|0: joins of that topic are never answered (knobs.silentJoinTopics).
          const topic = q.get('topic') ?? '';
          if (topic === '') return send(res, 400, { error: 'topic is required' });
          const knobs = server.knobs;
          knobs.silentJoinTopics = knobs.silentJoinTopics.filter((t) => t !== topic);
          if (q.get('on') !== '0') knobs.silentJoinTopics.push(topic);
          return send(res, 200, { silentJoinTopics: knobs.silentJoinTopics });
        }
        case '/__dev/issuer': {
          // ?host=<name>: Auth issues tokens for that host name (port kept); no host = the request's.
          const host = q.get('host') || null;
          if (host !== null && !/^[a-z0-9.-]+$|^\[[0-9a-f:]+\]$/i.test(host)) return send(res, 400, { error: `not a host name: ${host}` });
          const previous = server.knobs.authIssuerHost;
          server.knobs.authIssuerHost = host;
          return send(res, 200, { previous, host });
        }
        default:
          return send(res, 404, { error: `unknown dev route ${url.pathname}; see e2e/app/dev-routes.ts` });
      }
    } catch (e) {
      return send(res, 500, { error: e instanceof Error ? e.message : String(e) });
    }
  };
}

/** Same rule as the server (§1.1): first DNS label of the Host; IPs and localhost = default project. */
function projectForHost(server: TestServer, host: string | undefined): Project | undefined {
  const name = (host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
  if (name === '' || name === 'localhost' || /^[\d.]+$/.test(name) || name.includes(':')) return server.defaultProject;
  return server.projects.get(name.split('.')[0]);
}

function origin(req: IncomingMessage): string {
  return `http://${req.headers.host ?? 'localhost'}`;
}

function intParam(raw: string | null, dflt: number): number | null {
  if (raw === null) return dflt;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** Sign like the project's Auth does: the in-use asymmetric key, or the legacy secret (§5.1). */
function authSigning(p: Project): { signWith: 'current' | 'legacy'; header?: Record<string, unknown> } {
  if (p.authSigning === 'asymmetric') return { signWith: 'current' };
  return p.legacyKid ? { signWith: 'legacy', header: { kid: p.legacyKid } } : { signWith: 'legacy' };
}

async function mint(
  server: TestServer,
  project: Project,
  kind: Kind,
  lifetime: number,
  role: string | undefined,
  issuerOrigin: string,
  other: () => Promise<Project>,
): Promise<string> {
  const now = Math.floor(server.now() / 1000);
  if (kind === 'expired' && role === 'anon') {
    // Shape of a legacy anon API key (§5.2), two minutes past its exp.
    const claims = { iss: 'supabase', ref: project.ref, role: 'anon', iat: now - 3720, exp: now - 120 };
    return server.mintToken(claims, { project, signWith: 'legacy' });
  }
  const signer = kind === 'other-project' ? await other() : project;
  const iat = kind === 'expired' ? now - 3720 : now;
  const exp = kind === 'expired' ? now - 120 : now + lifetime;
  const claims: Record<string, unknown> = {
    aud: 'authenticated',
    exp,
    iat,
    iss: `${kind === 'other-project' ? server.projectUrl(signer) : issuerOrigin}/auth/v1`,
    sub: randomUUID(),
    email: 'demo@example.com',
    phone: '',
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: {},
    role: role ?? 'authenticated',
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: iat }],
    session_id: randomUUID(),
    is_anonymous: false,
  };
  if (kind === 'no-role') delete claims.role;
  return server.mintToken(claims, { project: signer, ...authSigning(signer) });
}

/** POST the project's own REST broadcast endpoint, as the project's backend would. */
function restBroadcast(port: number, host: string, serviceRoleKey: string, body: unknown): Promise<number> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/realtime/v1/api/broadcast',
        headers: {
          host,
          apikey: serviceRoleKey,
          authorization: `Bearer ${serviceRoleKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
        },
      },
      (resp) => {
        resp.resume();
        resp.on('end', () => resolve(resp.statusCode ?? 0));
      },
    );
    r.on('error', reject);
    r.end(data);
  });
}

function send(res: ServerResponse, status: number, body: unknown): true {
  const text = body === null ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
  return true;
}
