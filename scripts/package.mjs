#!/usr/bin/env node
// `npm run package` (issue 13 item 7): from a built dist/ (`npm run package` builds first), writes
// to dist/packages/ (or --out DIR):
//
//   claimscope-<version>.tgz            `npm pack` of the command line alone: the built CLI with the
//                                       core bundled in (vite's CLI build has noExternal), a
//                                       package.json with a `bin` and NO dependencies — installing
//                                       it downloads nothing — and a short README;
//   claimscope-chrome-<version>.zip     dist/chrome for the Chrome Web Store;
//   claimscope-firefox-<version>.zip    dist/firefox for addons.mozilla.org (`web-ext build`).
//
// Versions come from package.json, and every manifest must carry the same one: a store upload
// whose version disagrees with the CLI's is a release mistake, so it stops here.
// Options: --out DIR (default dist/packages), --skip-zips (the CLI tarball only).

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string' }, 'skip-zips': { type: 'boolean' } } });
const OUT = resolve(values.out ?? join(ROOT, 'dist/packages'));

function fail(message) {
  process.stderr.write(`package: ${message}\n`);
  process.exit(1);
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const version = pkg.version;
const cli = join(ROOT, 'dist/cli/claimscope.js');
if (!existsSync(cli)) fail('dist/cli/claimscope.js is missing: run `npm run build` first (npm run package does)');
for (const browser of values['skip-zips'] ? [] : ['chrome', 'firefox']) {
  const manifest = join(ROOT, `dist/${browser}/manifest.json`);
  if (!existsSync(manifest)) fail(`dist/${browser}/manifest.json is missing: run \`npm run build\` first`);
  const v = JSON.parse(readFileSync(manifest, 'utf8')).version;
  if (v !== version) fail(`dist/${browser}/manifest.json has version ${v}, package.json ${version}: make them equal (manifest.json) and build again`);
}
mkdirSync(OUT, { recursive: true });

// ---- the CLI tarball ------------------------------------------------------------------------

// The bundle must need nothing but Node's own modules, or the dependency-free package.json lies.
const bundle = readFileSync(cli, 'utf8');
const foreign = [...bundle.matchAll(/^\s*import\s[^;]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]).filter((s) => !s.startsWith('node:'));
if (foreign.length) fail(`dist/cli/claimscope.js imports ${foreign.join(', ')} at run time: the CLI build must bundle them`);

const stage = join(OUT, '.stage-cli');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
copyFileSync(cli, join(stage, 'claimscope.js'));
writeFileSync(
  join(stage, 'package.json'),
  `${JSON.stringify(
    {
      name: 'claimscope',
      version,
      description: `${pkg.description} — command line: decode a token and predict Realtime's verdicts, analyse a session file or a HAR`,
      license: pkg.license,
      type: 'module',
      bin: { claimscope: 'claimscope.js' },
      files: ['claimscope.js', 'README.md'],
      engines: pkg.engines,
      keywords: ['supabase', 'realtime', 'jwt', 'har', 'devtools'],
    },
    null,
    2,
  )}\n`,
);
writeFileSync(
  join(stage, 'README.md'),
  `# claimscope ${version} (command line)

Explains Supabase Realtime authentication failures. The DevTools extension's session core, for
the terminal and CI; one file, no dependencies.

\`\`\`sh
claimscope decode "$TOKEN" [--secret S | --secret-base64 S | --jwks FILE] [--validators JSON] [--at ISO-8601] [--json]
claimscope analyze session.claimscope.json            # a session file exported from the panel
claimscope analyze recording.har [--json | --format markdown]   # any HAR with WebSocket frames (Chrome DevTools, Playwright recordHar)
claimscope --help
\`\`\`

Exit status: 0 with no error finding, 1 with one, 2 for bad usage or unreadable input.
`,
);
const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', OUT], { cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const [info] = JSON.parse(packed);
rmSync(stage, { recursive: true, force: true });
const files = info.files.map((f) => f.path).sort();
process.stdout.write(`${join(OUT, info.filename)}  (${(info.size / 1024).toFixed(0)} KB packed; ${files.join(', ')})\n`);

// ---- store zips -----------------------------------------------------------------------------

if (!values['skip-zips']) {
  for (const browser of ['chrome', 'firefox']) {
    const filename = `claimscope-${browser}-${version}.zip`;
    // web-ext build zips a source folder reproducibly (it is the tool addons.mozilla.org documents);
    // the Chrome Web Store takes the same kind of zip with the manifest at its root.
    execFileSync(
      join(ROOT, 'node_modules/.bin/web-ext'),
      ['build', '--source-dir', join(ROOT, `dist/${browser}`), '--artifacts-dir', OUT, '--filename', filename, '--overwrite-dest', '--no-config-discovery'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    process.stdout.write(`${join(OUT, filename)}\n`);
  }
}
