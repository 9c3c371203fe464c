// Manual use: `npx tsx e2e/server/cli.ts [--port N] [--static DIR] [--fast] [--historical]`
// (or `npm run server -- --port N`). Prints the URL, the project ref, its keys and a sample user.
import { parseArgs } from 'node:util';
import { startServer } from './index.js';

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string', default: '54321' },
        static: { type: 'string' },
        fast: { type: 'boolean', default: false },
        historical: { type: 'boolean', default: false },
        'token-lifetime': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (e) {
    console.error(`claimscope test server: ${(e as Error).message}. Try --help.`);
    process.exit(2);
  }
  if (args.help) {
    console.log(
      [
        'Usage: npx tsx e2e/server/cli.ts [options]',
        '  --port N              port on 127.0.0.1 (default 54321; 0 = any free port)',
        '  --static DIR          serve DIR under /app/',
        '  --fast                50 ms error backoffs instead of 2000/5000 ms',
        '  --historical          answer with the ≤ 2024 wordings (403-empty connect errors)',
        '  --token-lifetime SEC  access token lifetime (default 3600)',
      ].join('\n'),
    );
    return;
  }
  const port = Number(args.port);
  const lifetime = args['token-lifetime'] === undefined ? 3600 : Number(args['token-lifetime']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`claimscope test server: --port must be an integer 0–65535, got "${args.port}"`);
    process.exit(2);
  }
  if (!Number.isInteger(lifetime) || lifetime <= 0) {
    console.error(`claimscope test server: --token-lifetime must be a positive integer, got "${args['token-lifetime']}"`);
    process.exit(2);
  }
  const server = await startServer({
    port,
    staticDir: args.static,
    project: { accessTokenLifetimeSec: lifetime },
    knobs: {
      ...(args.fast ? { connectBackoffMs: 50, channelBackoffMs: 50 } : {}),
      wordings: args.historical ? 'historical' : 'current',
    },
  });
  const p = server.defaultProject;
  console.log(
    [
      `Supabase stand-in listening on ${server.url} (127.0.0.1 only)`,
      `  project ref      ${p.ref}   (also ${server.projectUrl()} with *.supabase.co mapped to 127.0.0.1)`,
      `  anon key         ${p.anonKey}`,
      `  service_role key ${p.serviceRoleKey}`,
      `  publishable key  ${p.publishableKey}`,
      `  secret key       ${p.secretKey}`,
      `  JWT secret       ${p.jwtSecret}`,
      `  signing key      ${p.signingKeys.map((k) => `${k.alg} kid ${k.kid} (${k.status})`).join(', ') || 'none'}`,
      `  sample user      ${server.sampleUser?.email} / ${server.sampleUser?.password}`,
      `  realtime         ${server.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=<key>&vsn=2.0.0`,
      args.static ? `  static files     ${server.url}/app/ from ${args.static}` : '',
      'Ctrl-C to stop.',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  const stop = (): void => {
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(`claimscope test server failed to start: ${(e as Error).message}`);
  process.exit(1);
});
