// Test support: the recorded real supabase-js sessions in fixtures/ (see fixtures.test.ts for how
// they were recorded), replayed through a Session as the panel would have received them. Shared by
// the export tests, which check what an export of a real session holds. Imported by *.test.ts only.

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CapturedEvent } from '../model';
import { Session } from './session';

export interface RecordedFixture {
  name: string;
  tabId: number;
  /** The `now` the panel analysed at when the fixture was recorded. */
  now: number;
  /** The messages the panel received, in order; `disconnected` marks where its port dropped. */
  messages: Array<{ message?: unknown; disconnected?: boolean }>;
  events: CapturedEvent[];
}

const DIR = resolve(__dirname, 'fixtures');

export function loadFixture(name: string): RecordedFixture {
  return JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8'));
}

/** Every recorded fixture, by file name. */
export function allFixtures(): RecordedFixture[] {
  return readdirSync(DIR).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')));
}

/** The fixture's messages applied to a new Session, analysed at the recorded `now`. */
export async function replayFixture(fx: RecordedFixture): Promise<Session> {
  const session = new Session({ tabId: fx.tabId });
  for (const m of fx.messages) if (!m.disconnected) session.apply(m.message);
  await session.analyse(fx.now);
  return session;
}

/** The session's findings as sorted `severity:code`; throws when the analysis is not done. */
export function findingCodes(session: Session): string[] {
  const a = session.snapshot().analysis;
  if (a.kind !== 'done') throw new Error(`analysis ${a.kind}`);
  return a.result.analysis.findings.map((f) => `${f.severity}:${f.code}`).sort();
}

/** Every JWT signature and sb_secret_ key in the recorded traffic: canaries an export must not carry. */
export function recordedSecrets(fx: RecordedFixture): string[] {
  const text = JSON.stringify(fx.messages);
  const found = new Set<string>();
  for (const m of text.matchAll(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.([A-Za-z0-9_-]{16,})/g)) found.add(m[1]);
  for (const m of text.matchAll(/sb_secret_[A-Za-z0-9_-]{8,}/g)) found.add(m[0]);
  return [...found];
}
