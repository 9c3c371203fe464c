// Tokens: every token the page used (socket apikey, join access_token, access_token pushes, HTTP
// Authorization/apikey, /auth/v1/token grants, the page's own URL) with its class, project, the claims that decide
// Realtime's answer, a live countdown to exp (corrected by the measured clock skew), its findings,
// and the connect and join verdicts the server would give, in its own words. Never the whole
// token on screen: segment prefixes only, the signature hidden; Copy copies it redacted as an export
// would write it, Copy raw whole (copy-text.ts). Text nodes only.

import { useEffect, useRef } from 'preact/hooks';
import type { AnalysisState, EngineResult, TokenView } from '../../core/session';
import { capturedText, claimText, formatTime } from '../../ui/format';
import { tokenCopyText } from '../copy-text';
import { CopyActions } from './CopyActions';
import { useTicker } from './useAnalysis';
import { Conditions, connectVerdictText, Countdown, joinVerdictText } from '../../ui/VerdictText';

/** `reveal`: the label of a token a finding pointed at — highlighted and scrolled into view. */
export function TokensView({ analysis: engine, keysBar, reveal }: { analysis: AnalysisState; keysBar: preact.ComponentChildren; reveal?: string }) {
  const now = useTicker();
  const ref = useRef<HTMLDivElement>(null);
  const done = engine.kind === 'done';
  useEffect(() => {
    ref.current?.querySelector('[data-revealed="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [reveal, done]);
  if (engine.kind === 'failed') {
    return (
      <div class="list-view" data-testid="tokens-view">
        {keysBar}
        <p class="note error">The analysis failed: {engine.message}. The captured traffic is still shown in the other views; please report this.</p>
      </div>
    );
  }
  if (engine.kind === 'pending') {
    return (
      <div class="list-view" data-testid="tokens-view" data-state="pending">
        {keysBar}
        <p class="empty">Analysing the captured session…</p>
      </div>
    );
  }
  const { result } = engine;
  return (
    <div class="list-view" data-testid="tokens-view" data-state="done" ref={ref}>
      {keysBar}
      <p class="muted" data-testid="clock-skew" data-known={String(result.analysis.skew.known)}>
        {result.analysis.skew.known
          ? `Clock skew: the server's clock is ${Math.abs(Math.round(result.skewMs / 1000))} s ${result.skewMs >= 0 ? 'ahead of' : 'behind'} this browser (${result.analysis.skew.basis}); countdowns use it.`
          : `Clock skew unknown (${result.analysis.skew.basis}); countdowns use this browser's clock.`}
      </p>
      {result.tokens.length === 0 && <p class="empty">No token seen yet.</p>}
      {result.tokens.map((t) => (
        <TokenCard token={t} now={now} result={result} key={t.id} revealed={reveal !== undefined && t.label === reveal} />
      ))}
    </div>
  );
}

function TokenCard({ token: t, now, result, revealed }: { token: TokenView; now: number; result: EngineResult; revealed: boolean }) {
  const errors = t.findings.filter((f) => f.severity === 'error').length;
  // The decoded token behind the view (the view holds no whole token): for Copy / Copy raw.
  const decoded = result.analysis.tokens.find((s) => s.token.label === t.label)?.token;
  return (
    <div
      class={`card token ${errors > 0 ? 'has-errors' : ''}${revealed ? ' revealed' : ''}`}
      data-testid="token-row"
      data-revealed={revealed ? 'true' : undefined}
      data-class={t.tokenClass}
      data-label={t.label}
      data-ref={t.projectRef}
      data-role={typeof t.claims.role === 'string' ? t.claims.role : ''}
    >
      <div class="card-title">
        <span class="badge">{t.classLabel}</span>
        <span class="code captured" data-testid="token-label">
          {capturedText(t.label)}
        </span>
        <span class="muted captured" data-testid="token-masked">
          {capturedText(t.masked)}
        </span>
        {decoded && <CopyActions what={`token ${t.label}`} text={(mode) => tokenCopyText(decoded, mode)} testid="token" />}
      </div>
      <div class="card-facts">
        <span data-testid="token-ref">project {t.projectRef === 'unknown' ? 'unknown (not knowable from this token)' : capturedText(t.projectRef)}</span>
        {t.form === 'jwt' && (
          <>
            <span data-testid="token-role">role {t.claims.hasRole ? claimText(t.claims.role) : '(absent)'}</span>
            <span data-testid="token-aud">aud {claimText(t.claims.aud)}</span>
            <span data-testid="token-iss">iss {claimText(t.claims.iss)}</span>
            <Countdown exp={t.claims.exp} now={now} skewMs={result.skewMs} testid="token-exp" />
            <span data-testid="token-alg">
              alg {claimText(t.header.alg)}
              {t.header.kid !== undefined ? ` · kid ${claimText(t.header.kid)}` : ' · no kid'}
              {t.header.typ !== undefined ? ` · typ ${claimText(t.header.typ)}` : ''}
            </span>
          </>
        )}
        {t.problem && <span class="warn captured">{capturedText(t.problem, 2_000)}</span>}
      </div>
      <div class="card-facts" data-testid="token-uses">
        <span>Seen as:</span>
        {t.uses.map((u) => (
          <span key={u.kind} data-testid="token-use" data-kind={u.kind}>
            {u.where} ×{u.count}
            {u.places.length > 0 ? ` (${capturedText(u.places.join(', '), 2_000)})` : ''}, last {formatTime(u.last)}
          </span>
        ))}
      </div>
      {t.verdicts ? (
        <div class="verdicts">
          <div data-testid="predicted-connect" data-accepted={String(t.verdicts.connect.accepted)} data-status={t.verdicts.connect.status ?? ''}>
            Predicted connect (as the socket apikey): <strong class="captured">{capturedText(connectVerdictText(t.verdicts.connect), 2_000)}</strong>{' '}
            <Conditions verdict={t.verdicts.connect} />
          </div>
          <div data-testid="predicted-join" data-accepted={String(t.verdicts.join.accepted)} data-reason={t.verdicts.join.reason ?? ''}>
            Predicted join (as the channel token): <strong class="captured">{capturedText(joinVerdictText(t.verdicts.join), 2_000)}</strong> <Conditions verdict={t.verdicts.join} />
          </div>
          <p class="muted">
            Judged as the server would at this token's last use ({formatTime(t.verdicts.at)}): {capturedText(t.verdicts.join.explanation, 4_000)}
          </p>
        </div>
      ) : (
        <p class="muted" data-testid="predicted-join" data-accepted="null">
          {t.noVerdicts}
        </p>
      )}
      {t.findings.length > 0 && (
        <ul class="token-findings">
          {t.findings.map((f, i) => (
            <li key={`${f.code}-${i}`} data-testid="token-finding" data-code={f.code} data-severity={f.severity}>
              <span class={`badge sev-${f.severity}`}>{f.severity}</span> <span class="code">{f.code}</span> {capturedText(f.message, 2_000)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
