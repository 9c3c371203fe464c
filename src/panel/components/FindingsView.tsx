// Findings: the claims engine's explanations (src/core/analysis `analyzeSession`) for what the
// panel holds — code, severity, message, cause, fix and the server's own words when it spoke —
// kept as a history: a finding that stopped applying stays, marked resolved with when and why.
// The session runs the engine (useAnalysis, in App) only while a view that needs it is open, at
// most about once a second, and never blocks a render.

import type { AnalysisState, FindingEntry } from '../../core/session';
import { capturedText, formatTime } from '../../ui/format';

/**
 * `history`: every finding of the session (snapshot.findings), active ones first, then those that
 * stopped applying, with when and why (core/session/finding-history.ts).
 */
export function FindingsView({ analysis: engine, history }: { analysis: AnalysisState; history: readonly FindingEntry[] }) {
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
  const active = history.filter((e) => e.state === 'active');
  const resolved = history.filter((e) => e.state === 'resolved');
  const codeOf = new Map(history.map((e) => [e.key, e.finding.code]));
  return (
    <div class="list-view" data-testid="findings-view">
      {active.length === 0 && <p class="empty">No problem found in what was captured so far.</p>}
      {active.map((e) => (
        <FindingCard entry={e} key={e.key} />
      ))}
      {resolved.length > 0 && (
        <>
          <h4 class="muted" data-testid="resolved-findings">
            Resolved ({resolved.length}): raised earlier in this session, no longer true
          </h4>
          {resolved.map((e) => (
            <FindingCard entry={e} key={e.key} resolvedByCode={e.resolvedBy ? codeOf.get(e.resolvedBy) : undefined} />
          ))}
        </>
      )}
    </div>
  );
}

function FindingCard({ entry, resolvedByCode }: { entry: FindingEntry; resolvedByCode?: string }) {
  const f = entry.finding;
  const resolved = entry.state === 'resolved';
  return (
    <div
      class={`card finding ${f.severity}${resolved ? ' resolved' : ''}`}
      data-testid="finding-row"
      data-code={f.code}
      data-severity={f.severity}
      data-state={entry.state}
    >
      <div class="card-title">
        <span class={`badge sev-${f.severity}`}>{f.severity}</span>
        <span class="code">{f.code}</span>
        {f.time !== null && <span class="time">{formatTime(f.time)}</span>}
        {f.confirmedByServer && <span class="badge">confirmed by the server</span>}
        {resolved && <span class="badge" data-testid="finding-resolved">resolved</span>}
      </div>
      {resolved && (
        <p class="muted" data-testid="finding-resolution" data-resolved-by={resolvedByCode ?? ''}>
          Resolved at {formatTime(entry.resolvedAt ?? 0)}: {entry.resolvedWhy}
          {resolvedByCode ? ` (see ${resolvedByCode})` : ''}
        </p>
      )}
      {/* Messages quote captured values (topics, reasons, claims): capped and escaped. */}
      <p class="finding-message captured">{capturedText(f.message, 2_000)}</p>
      {f.cause && <p class="muted captured">Cause: {capturedText(f.cause, 4_000)}</p>}
      {f.fix && <p class="captured">Fix: {capturedText(f.fix, 2_000)}</p>}
      {f.evidence.serverText && (
        <p class="muted">
          Server said: <code class="captured">{capturedText(f.evidence.serverText, 1_100)}</code>
        </p>
      )}
      {(f.evidence.topic || f.evidence.conn) && (
        <p class="muted captured">
          {f.evidence.topic ? `channel ${capturedText(f.evidence.topic)}` : ''}
          {f.evidence.conn ? ` · socket ${f.evidence.conn}` : ''}
          {f.evidence.frameSeq !== undefined ? ` · frame #${f.evidence.frameSeq}` : ''}
        </p>
      )}
    </div>
  );
}
