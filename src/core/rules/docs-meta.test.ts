// Keeps docs/findings.md honest: every code has a section with the four parts, every documented
// code is a catalogue code, and every code is produced by some case of the engine's test tables.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSession } from '../analysis/analyze';
import { sessionCases } from '../analysis/session-cases';
import { trackRealtime } from '../realtime';
import { decodeToken } from '../tokens/decode';
import { makeTestKeys } from '../tokens/testing';
import { ALL_FINDING_CODES } from './catalogue';
import { checkToken } from './token-rules';
import { AT_MS, tokenCases } from './token-cases';

const doc = readFileSync(join(__dirname, '../../../docs/findings.md'), 'utf8');
const sections = new Map<string, string>();
for (const part of doc.split(/^## /m).slice(1)) {
  const m = /^`([a-z-]+)`\n([\s\S]*)$/.exec(part);
  if (m) sections.set(m[1], m[2]);
}

describe('docs/findings.md', () => {
  it('documents exactly the catalogue codes', () => {
    expect([...sections.keys()].sort()).toEqual([...ALL_FINDING_CODES].sort());
  });
  it.each(ALL_FINDING_CODES)('%s has meaning, server message, fix and example', (code) => {
    const s = sections.get(code) ?? '';
    for (const part of ['**Meaning.**', '**Server message.**', '**Fix.**', '**Example.**']) expect(s, `${code} ${part}`).toContain(part);
  });
  it('every documented code is produced by a case of the test tables', async () => {
    const keys = await makeTestKeys();
    const produced = new Set<string>();
    for (const tc of await tokenCases(keys)) {
      const { findings } = await checkToken(decodeToken(tc.token), { project: tc.project ?? {}, use: { at: AT_MS } });
      findings.forEach((f) => produced.add(f.code));
    }
    for (const sc of await sessionCases(keys)) {
      const analysis = await analyzeSession(sc.events, trackRealtime(sc.events), sc.options);
      analysis.findings.forEach((f) => produced.add(f.code));
    }
    const missing = [...sections.keys()].filter((c) => !produced.has(c));
    expect(missing, 'documented codes no test produces').toEqual([]);
  });
});
