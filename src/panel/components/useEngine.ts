// Runs the claims engine for the views that show its answers (Tokens, Channels, Connections,
// Findings): only while one of them is open, at most about once a second, never blocking a render,
// and again when the user supplies a key (the project knowledge changes the verdicts).

import { useEffect, useRef, useState } from 'preact/hooks';
import type { ProjectKnowledge } from '../../core/analysis';
import type { PanelEngine, EngineResult } from '../engine';
import type { PanelModel } from '../model';

const MIN_INTERVAL_MS = 1_000;

export type EngineState =
  | { kind: 'pending' }
  | { kind: 'done'; result: EngineResult; version: number; projectKey: string }
  | { kind: 'failed'; message: string; version: number; projectKey: string };

export function useEngine(model: PanelModel, engine: PanelEngine, enabled: boolean, project: ProjectKnowledge, projectKey: string): EngineState {
  const [state, setState] = useState<EngineState>({ kind: 'pending' });
  const running = useRef(false);
  const lastRun = useRef(0);
  const mounted = useRef(true);
  // Bumped when a run ends, so a change that arrived during the run gets its own run.
  const [runsDone, setRunsDone] = useState(0);
  const version = model.version;
  useEffect(() => () => void (mounted.current = false), []);

  useEffect(() => {
    if (!enabled || running.current) return;
    // Done (or failed: retried only when something changes) for this version and these keys.
    if (state.kind !== 'pending' && state.version === version && state.projectKey === projectKey) return;
    const wait = Math.max(0, lastRun.current + MIN_INTERVAL_MS - Date.now());
    const timer = setTimeout(() => {
      if (running.current || !mounted.current) return;
      running.current = true;
      lastRun.current = Date.now();
      const analysedVersion = model.version;
      // Results are kept even when newer events arrived meanwhile: stale by a second at most, and
      // the next run follows right after.
      engine
        .run(model.state.events(), model.session(), { now: Date.now(), project, projectKey })
        .then((result) => {
          if (mounted.current) setState({ kind: 'done', result, version: analysedVersion, projectKey });
        })
        .catch((error: unknown) => {
          if (mounted.current) setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error), version: analysedVersion, projectKey });
        })
        .finally(() => {
          running.current = false;
          if (mounted.current) setRunsDone((n) => n + 1);
        });
    }, wait);
    return () => clearTimeout(timer);
  }, [version, enabled, projectKey, state, runsDone]);

  return state;
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
