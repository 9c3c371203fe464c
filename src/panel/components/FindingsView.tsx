// Findings: the claims engine's explanations (src/core/analysis `analyzeSession`) for what the
// panel holds — code, severity, message, cause, fix and the server's own words when it spoke.
// The engine scans every held event, so it runs only while this view is open, at most about once
// a second, and never blocks a render.

import { useEffect, useRef, useState } from 'preact/hooks';
import { analyzeSession, type Analysis } from '../../core/analysis';
import { formatTime } from '../../ui/format';
import type { PanelModel } from '../model';

const MIN_INTERVAL_MS = 1_000;

type Result = { kind: 'pending' } | { kind: 'done'; analysis: Analysis; version: number } | { kind: 'failed'; message: string };

export function FindingsView({ model }: { model: PanelModel }) {
  const [result, setResult] = useState<Result>({ kind: 'pending' });
  const running = useRef(false);
  const lastRun = useRef(0);
  const version = model.version;

  useEffect(() => {
    if (result.kind === 'done' && result.version === version) return;
    let cancelled = false;
    const wait = Math.max(0, lastRun.current + MIN_INTERVAL_MS - Date.now());
    const timer = setTimeout(() => {
      if (running.current) return;
      running.current = true;
      lastRun.current = Date.now();
      const analysedVersion = model.version;
      analyzeSession(model.state.events(), model.session(), { now: Date.now() })
        .then((analysis) => {
          if (!cancelled) setResult({ kind: 'done', analysis, version: analysedVersion });
        })
        .catch((error: unknown) => {
          if (!cancelled) setResult({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
        })
        .finally(() => {
          running.current = false;
        });
    }, wait);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [version, result]);

  if (result.kind === 'failed') {
    return (
      <div class="list-view" data-testid="findings-view">
        <p class="note error">The analysis failed: {result.message}. The captured traffic is still shown in the other views; please report this.</p>
      </div>
    );
  }
  if (result.kind === 'pending') {
    return (
      <div class="list-view" data-testid="findings-view">
        <p class="empty">Analysing the captured session…</p>
      </div>
    );
  }
  const { findings } = result.analysis;
  return (
    <div class="list-view" data-testid="findings-view">
      {findings.length === 0 && <p class="empty">No problem found in what was captured so far.</p>}
      {findings.map((f, i) => (
        <div class={`card finding ${f.severity}`} data-testid="finding-row" data-code={f.code} data-severity={f.severity} key={`${f.code}-${i}`}>
          <div class="card-title">
            <span class={`badge sev-${f.severity}`}>{f.severity}</span>
            <span class="code">{f.code}</span>
            {f.time !== null && <span class="time">{formatTime(f.time)}</span>}
            {f.confirmedByServer && <span class="badge">confirmed by the server</span>}
          </div>
          <p class="finding-message">{f.message}</p>
          {f.cause && <p class="muted">Cause: {f.cause}</p>}
          {f.fix && <p>Fix: {f.fix}</p>}
          {f.evidence.serverText && (
            <p class="muted">
              Server said: <code>{f.evidence.serverText}</code>
            </p>
          )}
          {(f.evidence.topic || f.evidence.conn) && (
            <p class="muted">
              {f.evidence.topic ? `channel ${f.evidence.topic}` : ''}
              {f.evidence.conn ? ` · socket ${f.evidence.conn}` : ''}
              {f.evidence.frameSeq !== undefined ? ` · frame #${f.evidence.frameSeq}` : ''}
            </p>
          )}
        </div>
      ))}
    </div>
  );
}
