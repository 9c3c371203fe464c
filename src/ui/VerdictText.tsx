// Small shared pieces for the engine's answers, used by the panel and the popup: a predicted
// verdict in the server's words, its conditions, a countdown to exp, and the matched/differed
// mark. Text nodes only.

import type { ConnectVerdict, JoinVerdict } from '../core/analysis';
import { secondsLeft, type Comparison } from '../core/session';
import { formatCountdown, formatExp } from './format';

export function joinVerdictText(v: JoinVerdict): string {
  if (v.accepted === null) return 'cannot be predicted';
  return v.accepted ? 'accepted (phx_reply ok)' : `refused: “${v.reason ?? ''}”`;
}

export function connectVerdictText(v: ConnectVerdict): string {
  if (v.accepted === null) return 'cannot be predicted';
  if (v.accepted) return 'accepted (HTTP 101)';
  return `refused: HTTP ${v.status} ${JSON.stringify(v.body)}`;
}

/** "conditional: …" when the verdict depends on something the user did not supply. */
export function Conditions({ verdict }: { verdict: { conditional: boolean; conditions: string[]; accepted: boolean | null } }) {
  if (!verdict.conditional || verdict.accepted === null) return null;
  const unverified = verdict.conditions.some((c) => /not verified|no JWKS supplied/.test(c));
  return (
    <span class="conditional" data-testid="verdict-conditional">
      {unverified ? 'conditional: signature not verified (no key supplied)' : 'conditional'}
      {' — '}
      {verdict.conditions.join('; ')}
    </span>
  );
}

export function Countdown({ exp, now, skewMs, testid }: { exp: unknown; now: number; skewMs: number; testid?: string }) {
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    return (
      <span data-testid={testid} data-seconds-left="">
        exp {exp === undefined ? 'absent' : `not a number (${typeof exp})`}
      </span>
    );
  }
  const left = secondsLeft(exp, now, skewMs);
  return (
    <span class={left <= 0 ? 'warn' : left <= 90 ? 'warn' : ''} data-testid={testid} data-seconds-left={left}>
      exp {formatExp(exp)} · {formatCountdown(left)}
    </span>
  );
}

const MARKS: Record<Comparison['match'], string> = { yes: '✓', no: '✗', pending: '…', none: '–' };

export function MatchMark({ comparison, testid }: { comparison: Comparison; testid: string }) {
  return (
    <span class={`match match-${comparison.match}`} data-testid={testid} data-match={comparison.match}>
      {MARKS[comparison.match]} {comparison.text}
    </span>
  );
}
