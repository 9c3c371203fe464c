// Findings: the claims engine's explanations (src/core/analysis `analyzeSession`) for what the
// panel holds — code, severity, message, cause, fix and the server's own words when it spoke.
// The session runs the engine (useAnalysis, in App) only while a view that needs it is open, at
// most about once a second, and never blocks a render.

import type { AnalysisState } from '../../core/session';
import { formatTime } from '../../ui/format';

export function FindingsView({ analysis: engine }: { analysis: AnalysisState }) {
  if (engine.kind === 'failed') {
    return (
      <div class="list-view" data-testid="findings-view">
        <p class="note error">The analysis failed: {engine.message}. The captured traffic is still shown in the other views; please report this.</p>
      </div>
    );
  }
  if (engine.kind === 'pending') {
    return (
      <div class="list-view" data-testid="findings-view">
        <p class="empty">Analysing the captured session…</p>
      </div>
    );
  }
  const result = engine.result;
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
