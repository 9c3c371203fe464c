// The local server as `npm start` runs it: the default project, a second project (for
// "another project's token"), the demo app under /app/, and the demo's test-only /__dev/ routes.
// Loaded by scripts/start.mjs through tsx; tests can use it too (port 0).
import { devRoutes } from '../e2e/app/dev-routes';
import { startServer, type Knobs, type Project, type TestServer } from '../e2e/server/index';

export interface DemoServer {
  server: TestServer;
  ref: string;
  /** http://127.0.0.1:PORT: the default project (an IP selects it). */
  url: string;
  /** http://<ref>.supabase.co:PORT: needs `--host-resolver-rules=MAP *.supabase.co 127.0.0.1`. */
  realisticUrl: string;
  appUrl: string;
  realisticAppUrl: string;
  otherProject: Project;
  user: { email: string; password: string };
  close(): Promise<void>;
}

export const OTHER_PROJECT_REF = 'otherprojectrefxyzab';

export async function startDemoServer(opts: { port: number; appDir: string; knobs?: Partial<Knobs> }): Promise<DemoServer> {
  let server: TestServer | undefined;
  let other: Project | undefined;
  server = await startServer({
    port: opts.port,
    staticDir: opts.appDir,
    routes: [devRoutes(() => server, { otherProject: () => other })],
    knobs: opts.knobs ?? {},
    sampleUser: true,
  });
  other = await server.createProject({ ref: OTHER_PROJECT_REF });
  const s = server;
  const realisticUrl = s.projectUrl();
  if (!s.sampleUser) throw new Error('the server did not create its sample user');
  return {
    server: s,
    ref: s.defaultProject.ref,
    url: s.url,
    realisticUrl,
    appUrl: `${s.url}/app/`,
    realisticAppUrl: `${realisticUrl}/app/`,
    otherProject: other,
    user: s.sampleUser,
    close: () => s.close(),
  };
}
