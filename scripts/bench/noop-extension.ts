// A no-op MV3 extension generated into a temp folder: the noise floor. It has what Claimscope has
// structurally (a service worker, and content scripts on <all_urls> at document_start in all frames,
// one ISOLATED and one MAIN) with empty bodies, so loading an extension at all, injecting content
// scripts and running a service worker are in both arms, and only Claimscope's own work is not.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function makeNoopExtension(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'claimscope-bench-noop-ext-'));
  const manifest = {
    manifest_version: 3,
    name: 'bench no-op',
    version: '1.0.0',
    background: { service_worker: 'sw.js' },
    content_scripts: [
      { matches: ['<all_urls>'], js: ['isolated.js'], run_at: 'document_start', all_frames: true, world: 'ISOLATED' },
      { matches: ['<all_urls>'], js: ['main.js'], run_at: 'document_start', all_frames: true, world: 'MAIN' },
    ],
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, 'sw.js'), '// no-op\n');
  writeFileSync(join(dir, 'isolated.js'), '// no-op\n');
  writeFileSync(join(dir, 'main.js'), '// no-op\n');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
