// Issue 8, "Done when": fixtures recorded from real Chromium BEFORE the session core existed (the
// panel at commit 0d633a1, by a Playwright recorder kept outside the repo: every BackgroundToPanel
// message the panel's port received, the exact `now` of the engine run on screen, and what the
// panel's views showed through their data-testids). Never regenerate them in a change that alters
// the session. Here the recorded messages go into the session core (`Session.apply`, what the
// panel's link does today), the session analyses at the recorded `now`, and its snapshot must give
// what the old panel showed. Everything the DOM showed through the documented
// data-testids must come out the same: finding codes and severities (in order), token rows and
// their predicted verdicts, channel and connection verdicts with their match marks.
//
// Fixtures: $CLAIMSCOPE_FIXTURES, else src/core/session/fixtures, else fixtures-out (recorder output).

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../model';
import { channelKeyString, secondsLeft, type EngineResult } from './engine';
import { Session, type SessionSnapshot } from './session';
import { channelPhaseDisplay, connectionDisplay, frameList } from './views';

interface Fixture {
  recordedFrom: string;
  name: string;
  scenario: string;
  params: Record<string, string | number>;
  tabId: number;
  now: number;
  clock: { engineRunNow: number; domReadStart: number; domReadEnd: number };
  events: CapturedEvent[];
  messages: Array<{ port: number; at: number; message?: unknown; disconnected?: boolean }>;
  panel: {
    findings: Array<{ code: string; severity: string }>;
    tokens: Array<Record<string, unknown> & { expSecondsLeft: string | null }>;
    channels: Array<Record<string, unknown> & { effectiveToken: { source: string; label: string; secondsLeft: string } | null }>;
    connections: Array<Record<string, unknown>>;
    framesCount: string | null;
    clockSkewKnown: string;
  };
}

const DIR = resolve(__dirname, 'fixtures');
const fixtures: Fixture[] = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')));

function replay(fx: Fixture): Session {
  const session = new Session({ tabId: fx.tabId });
  for (const m of fx.messages) if (!m.disconnected) session.apply(m.message);
  return session;
}

async function analysedAt(session: Session, now: number): Promise<{ snapshot: SessionSnapshot; result: EngineResult }> {
  await session.analyse(now);
  const snapshot = session.snapshot();
  if (snapshot.analysis.kind !== 'done') throw new Error(`analysis ${snapshot.analysis.kind}`);
  return { snapshot, result: snapshot.analysis.result };
}

function eventsOf(snapshot: SessionSnapshot): CapturedEvent[] {
  return [...snapshot.rows].filter((r): r is CapturedEvent => r.kind !== 'separator');
}

/** What the panel's views render from an engine result, in the recorder's shape (attributes as strings). */
function rendered(session: SessionSnapshot, result: EngineResult) {
  const unloads = session.unloads;
  const conns = new Map(session.connections.map((c) => [c.conn, c]));
  const findings = result.analysis.findings.map((f) => ({ code: f.code, severity: f.severity }));
  const tokens = result.tokens.map((t) => ({
    class: t.tokenClass,
    label: t.label,
    ref: t.projectRef,
    role: typeof t.claims.role === 'string' ? t.claims.role : '',
    uses: t.uses.map((u) => u.kind),
    predictedConnect: t.verdicts ? { accepted: String(t.verdicts.connect.accepted), status: String(t.verdicts.connect.status ?? '') } : null,
    predictedJoin: t.verdicts ? { accepted: String(t.verdicts.join.accepted), reason: t.verdicts.join.reason ?? '' } : { accepted: 'null', reason: null },
    findings: t.findings.map((f) => ({ code: f.code, severity: f.severity })),
  }));
  const channels = session.channels.map((ch) => {
    const phase = channelPhaseDisplay(ch, conns.get(ch.key.conn), unloads);
    const verdict = result.channels.get(channelKeyString(ch.key));
    const span = verdict?.current ?? null;
    const ignored = span?.ignored ?? [];
    const latest = verdict?.latest ?? null;
    return {
      topic: ch.key.topic,
      phase: phase.phase,
      joinRef: String(ch.key.joinRef),
      closedBy: phase.closedBy ?? null,
      effectiveToken: verdict ? { source: span?.source ?? '', label: span?.token?.label ?? '' } : null,
      ignoredPushes: verdict && ignored.length > 0 ? String(ignored.length) : null,
      predicted: latest
        ? {
            accepted: latest.prediction ? String(latest.prediction.accepted) : 'null',
            conditional: latest.prediction ? String(latest.prediction.conditional) : 'false',
            reason: latest.prediction?.reason ?? '',
          }
        : null,
      server: latest ? { status: latest.answer.kind, reason: latest.answer.kind === 'error' ? latest.answer.reason : '' } : null,
      match: latest ? latest.comparison.match : null,
      attempts: ch.attempts.map((a) => a.status ?? (a.reply ? a.reply.status : 'awaiting-reply')),
    };
  });
  const connections = session.connections.map((c) => {
    const { state, unload } = connectionDisplay(c, unloads);
    const v = result.connections.get(c.conn);
    const p = v?.prediction ?? null;
    return {
      conn: c.conn,
      state,
      closedBy: unload?.cause ?? null,
      predictedConnect: v ? { accepted: String(p?.accepted ?? null), status: String(p?.status ?? '') } : null,
      match: v ? v.comparison.match : null,
    };
  });
  return { findings, tokens, channels, connections };
}

/** The recorded DOM without the ticker-driven countdown attributes (checked separately, by range). */
function domShape(fx: Fixture) {
  return {
    findings: fx.panel.findings,
    tokens: fx.panel.tokens.map(({ expSecondsLeft: _, ...rest }) => rest),
    channels: fx.panel.channels.map((c) => ({ ...c, effectiveToken: c.effectiveToken ? { source: c.effectiveToken.source, label: c.effectiveToken.label } : null })),
    connections: fx.panel.connections,
  };
}

/** Countdown (useTicker clock, mounted during the read): within what [domReadStart, domReadEnd] allows. */
function countdownInRange(shown: string | null, exp: unknown, skewMs: number, fx: Fixture): boolean {
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return shown === '';
  const hi = secondsLeft(exp, fx.clock.domReadStart, skewMs);
  const lo = secondsLeft(exp, fx.clock.domReadEnd, skewMs);
  return Number(shown) >= lo && Number(shown) <= hi;
}

describe(`panel fixtures from 0d633a1 replayed through the session core`, () => {
  it('has the recordings', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(13);
    for (const fx of fixtures) expect(fx.recordedFrom).toBe('0d633a1');
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s: the session at the recorded now gives what the panel showed', async (_name, fx) => {
    const session = replay(fx);
    const { snapshot, result } = await analysedAt(session, fx.now);
    // JSON round trip: the frame catalog caches its facts on each event under a Symbol key.
    expect(JSON.parse(JSON.stringify(eventsOf(snapshot))), 'replayed messages give the recorded events').toEqual(fx.events);
    const got = rendered(snapshot, result);

    // Finding codes: as a sorted multiset, then in the DOM's order.
    const codes = (l: Array<{ code: string }>) => l.map((f) => f.code).sort();
    expect(codes(got.findings)).toEqual(codes(fx.panel.findings));
    expect(got).toEqual(domShape(fx));
    expect(String(result.analysis.skew.known)).toBe(fx.panel.clockSkewKnown);
    expect(`${frameList(snapshot.rows, session.catalog, { text: '', showHeartbeats: true }).totalFrames} frames`).toBe(fx.panel.framesCount);

    // Ticker countdowns, by range over the DOM read window.
    result.tokens.forEach((t, i) => {
      const shown = fx.panel.tokens[i].expSecondsLeft;
      if (t.form !== 'jwt') return expect(shown, `${t.label} has no countdown`).toBeNull();
      expect(countdownInRange(shown, t.claims.exp, result.skewMs, fx), `token ${t.label} countdown ${shown}`).toBe(true);
    });
    snapshot.channels.forEach((ch, i) => {
      const v = result.channels.get(channelKeyString(ch.key));
      const shown = fx.panel.channels[i].effectiveToken?.secondsLeft ?? null;
      if (!v || v.expiresAt === null) return expect(shown).toBe(v ? '' : null);
      expect(countdownInRange(shown, v.expiresAt, result.skewMs, fx), `channel ${ch.key.topic} countdown`).toBe(true);
    });
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s: the recorded events fed one by one as local batches give the same answers', async (_name, fx) => {
    const batched = new Session({ tabId: fx.tabId });
    for (const event of fx.events) batched.applyLocal([event]);
    const whole = replay(fx);
    const a = await analysedAt(batched, fx.now);
    const b = await analysedAt(whole, fx.now);
    expect(rendered(a.snapshot, a.result)).toEqual(rendered(b.snapshot, b.result));
  });

  // Which fixtures depend on `now` (pinned for the one that must): replayed at the last event's
  // time and a day later. A clock tick alone (no new event) moves the time-based finding.
  it('time dependence: only a live channel inside the refresh margin depends on now', async () => {
    const dependent: string[] = [];
    for (const fx of fixtures) {
      const session = replay(fx);
      const at = async (now: number) => {
        const { snapshot, result } = await analysedAt(session, now);
        return rendered(snapshot, result);
      };
      const base = JSON.stringify(await at(fx.now));
      const lastEvent = Math.max(...fx.events.map((e) => e.time));
      expect(JSON.stringify(await at(fx.clock.domReadEnd)), `${fx.name} at domReadEnd`).toBe(base);
      const variants = [await at(lastEvent), await at(fx.now + 86_400_000)];
      if (variants.some((v) => JSON.stringify(v) !== base)) dependent.push(fx.name);
    }
    expect(dependent.sort()).toEqual(['expiring-mid-channel-live']);
  });
});
