// Runs the session's claims engine for the views that show its answers (Tokens, Channels,
// Connections, Findings): only while one of them is open, never blocking a render — about once a
// second for bulk traffic, within 200 ms of anything that can change a finding. It runs again
// when the captured content or the user's keys changed, and on a clock tick (time-based findings
// such as token-expires-soon move with time, not with events).
// The session publishes the answer in its next snapshot.

import { useEffect, useRef, useState } from 'preact/hooks';
import type { AnalysisState, Session, SessionSnapshot } from '../../core/session';

const MIN_INTERVAL_MS = 1_000;
/**
 * The pace when what arrived can change a finding (a server's error reply, a join, a token: not
 * bulk traffic): the finding should be on screen within the bench's 250 ms of the frame.
 */
const EVIDENCE_INTERVAL_MS = 200;
/** Re-judge time-based findings this often while an engine view is open, even on a quiet tab. */
const CLOCK_TICK_MS = 5_000;

export function useAnalysis(session: Session, snapshot: SessionSnapshot, enabled: boolean): AnalysisState {
  const running = useRef(false);
  const lastRun = useRef(0);
  const mounted = useRef(true);
  // Bumped when a run ends or the clock ticks, so the effect below looks again.
  const [wake, setWake] = useState(0);
  useEffect(() => () => void (mounted.current = false), []);
  useEffect(() => {
    if (!enabled) return;
    const id = setInterval(() => setWake((n) => n + 1), CLOCK_TICK_MS);
    return () => clearInterval(id);
  }, [enabled]);

  useEffect(() => {
    if (!enabled || running.current) return;
    const due = session.analysisStale() || Date.now() - lastRun.current >= CLOCK_TICK_MS;
    if (!due) return;
    const wait = Math.max(0, lastRun.current + (session.newEvidence() ? EVIDENCE_INTERVAL_MS : MIN_INTERVAL_MS) - Date.now());
    const timer = setTimeout(() => {
      if (running.current || !mounted.current) return;
      running.current = true;
      lastRun.current = Date.now();
      void session.analyse(Date.now()).finally(() => {
        running.current = false;
        if (mounted.current) setWake((n) => n + 1);
      });
    }, wait);
    return () => clearTimeout(timer);
  }, [snapshot.version, enabled, wake]);

  return snapshot.analysis;
}

/** Re-renders every `ms` while mounted: live countdowns move without re-running the engine. */
export function useTicker(ms = 1_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}
