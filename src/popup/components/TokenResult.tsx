// One judged token: class, masked token, what the cleaning changed, the broken segment in one
// line, header and claims as tables (readable times, a live countdown to exp, descriptions on
// hover), the signature status, findings with cause and fix, and the connect and join verdicts
// Realtime would give, in the server's words (the same words as the panel's Tokens view).
// Text nodes only: the token is hostile input.

import { correctionFor, type PastedToken } from '../../core/session';
import { relativeText, fieldRows, type FieldRow } from '../../ui/claims';
import { claimText, formatCountdown, formatTime } from '../../ui/format';
import { Conditions, connectVerdictText, Countdown, joinVerdictText } from '../../ui/VerdictText';
import { CorrectionDiff, FixIt } from './FixIt';

export function TokenResult({ pasted, at, now }: { pasted: PastedToken; at: number; now: number }) {
  const { token, view, judgement } = pasted;
  const errors = view.findings.filter((f) => f.severity === 'error').length;
  return (
    <section
      class={`result ${errors > 0 ? 'has-errors' : ''}`}
      data-testid="decode-result"
      data-class={view.tokenClass}
      data-form={view.form}
      aria-label="Decoded token"
    >
      <div class="result-title">
        <span class="badge" data-testid="token-class">
          {view.classLabel}
        </span>
        <span class="muted" data-testid="token-masked">
          {view.masked}
        </span>
      </div>
      {token.notes.length > 0 && (
        <ul class="notes">
          {token.notes.map((n) => (
            <li key={n} data-testid="clean-note">
              {n}
            </li>
          ))}
        </ul>
      )}
      {token.problem && (
        <p class={token.form === 'jwt' ? 'line warn' : 'line error'} data-testid="token-problem" data-segment={token.problem.segment} role="status">
          {token.form === 'jwt' ? 'Broken signature: ' : 'Not a JWT: '}
          {token.problem.reason}
          {token.problem.segment !== 'token' && token.form !== 'jwt' ? ` (${token.problem.segment} segment)` : ''}
        </p>
      )}
      {view.form === 'jwt' && (
        <>
          <p class="line">
            <span data-testid="token-ref">project {view.projectRef === 'unknown' ? 'unknown (not knowable from this token)' : view.projectRef}</span>
            {' · '}
            <span data-testid="token-role">role {view.claims.hasRole ? claimText(view.claims.role) : '(absent)'}</span>
            {' · '}
            <span data-testid="signature-status" data-status={judgement.signature?.status ?? 'unverified'}>
              signature {judgement.signature?.status ?? 'unverified'}
              {judgement.signature ? ` (${judgement.signature.detail})` : ' (no key supplied)'}
            </span>
          </p>
          <p class="line">
            <Countdown exp={view.claims.exp} now={now} skewMs={0} testid="token-exp" />
          </p>
          <FieldTable title="Header" rows={fieldRows(token.header, now, true)} testid="header-table" />
          <FieldTable title="Claims" rows={fieldRows(token.claims, now)} testid="claims-table" />
        </>
      )}
      {view.form === 'opaque-key' && (
        <p class="muted" data-testid="opaque-note">
          Not a JWT: nothing for Realtime to verify. The API gateway swaps sb_ keys for a short-lived JWT the browser never sees (issued by the
          gateway, not visible), so no verdict or countdown can be predicted for it.
        </p>
      )}
      <Findings pasted={pasted} at={at} />
      <FixIt key={token.cleaned} pasted={pasted} at={at} />
      {view.verdicts && (
        <div class="verdicts">
          <div data-testid="predicted-connect" data-accepted={String(view.verdicts.connect.accepted)} data-status={view.verdicts.connect.status ?? ''}>
            Predicted connect (as the socket apikey): <strong>{connectVerdictText(view.verdicts.connect)}</strong>{' '}
            <Conditions verdict={view.verdicts.connect} />
          </div>
          <div data-testid="predicted-join" data-accepted={String(view.verdicts.join.accepted)} data-reason={view.verdicts.join.reason ?? ''}>
            Predicted join (as the channel token): <strong>{joinVerdictText(view.verdicts.join)}</strong> <Conditions verdict={view.verdicts.join} />
          </div>
          <p class="muted">
            Judged as the server would at {formatTime(at)}: {view.verdicts.join.explanation}
          </p>
        </div>
      )}
    </section>
  );
}

function FieldTable({ title, rows, testid }: { title: string; rows: FieldRow[]; testid: string }) {
  if (rows.length === 0) return null;
  return (
    <table class="fields" data-testid={testid}>
      <caption>{title}</caption>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name} data-testid="field-row" data-name={r.name}>
            <th scope="row" title={r.description || undefined} class={r.description ? 'described' : ''}>
              {r.name}
            </th>
            <td>
              <span class="code">{r.value}</span>
              {r.date !== undefined && r.secondsFromNow !== undefined && (
                <span class="muted" data-testid="field-time">
                  {' '}
                  {r.date} ({r.name === 'exp' ? formatCountdown(r.secondsFromNow) : relativeText(r.secondsFromNow)})
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Findings({ pasted, at }: { pasted: PastedToken; at: number }) {
  const findings = pasted.view.findings;
  if (findings.length === 0) {
    return (
      <p class="line ok" data-testid="no-findings">
        No problem found in this token.
      </p>
    );
  }
  return (
    <div class="findings" data-testid="findings">
      {findings.map((f, i) => (
        <div key={`${f.code}-${i}`} class={`finding ${f.severity}`} data-testid="finding-row" data-code={f.code} data-severity={f.severity}>
          <div>
            <span class={`badge sev-${f.severity}`}>{f.severity}</span> <span class="code">{f.code}</span> {f.message}
          </div>
          {f.cause && <p class="muted">Cause: {f.cause}</p>}
          {f.fix && <p>Fix: {f.fix}</p>}
          <CorrectionDiff correction={correctionFor(pasted.token, f, Math.floor(at / 1000))} />
        </div>
      ))}
    </div>
  );
}
