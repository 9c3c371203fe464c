// Channels: one card per channel instance (connection, topic, join_ref), with its phase, private or
// public, what the app was told, and every join attempt: whether it carried a token, and what the
// server replied (or that it never did). With the claims engine's answers: the effective channel
// token the server is judging (and where it came from), its live countdown to the server's close at
// exp, the predicted verdict of the latest join next to the server's actual reply, and the socket's
// client. From the records: the last error the server reported with Claimscope's reading of it, and
// the Postgres Changes subscription (core/session/channel-view.ts).

import {
  channelKeyString,
  channelPhaseDisplay,
  lastServerError,
  maskSecret,
  postgresChangesStatus,
  replyReason,
  safeJsonText,
  toldApp,
  type ChannelRecord,
  type ConnectionRecord,
  type ConnectionVerdict,
  type JoinAttempt,
  type ToldApp,
  type AnalysisState,
  type ChannelPhaseDisplay,
  type ChannelVerdict,
  type EngineResult,
  type SessionSnapshot,
} from '../../core/session';
import { capturedText, formatTime } from '../../ui/format';
import { useTicker } from './useAnalysis';
import { Conditions, Countdown, joinVerdictText, MatchMark } from '../../ui/VerdictText';
import './channels.css';

export function ChannelsView({
  snapshot,
  analysis: engine,
  keysBar,
}: {
  snapshot: SessionSnapshot;
  analysis?: AnalysisState;
  keysBar?: preact.ComponentChildren;
}) {
  const now = useTicker();
  const result = engine?.kind === 'done' ? engine.result : undefined;
  const connections = new Map<string, ConnectionRecord>(snapshot.connections.map((c) => [c.conn, c]));
  // Connections whose page went away (pagehide): their live channels are shown closed (core/session/unload.ts).
  const lookup = snapshot.unloads;
  return (
    <div class="list-view" data-testid="channels-view">
      {snapshot.channels.length > 0 && keysBar}
      {engine?.kind === 'failed' && <p class="note error">The analysis failed: {engine.message}. Predictions are not shown; please report this.</p>}
      {snapshot.channels.length === 0 && <p class="empty">No channel joined yet.</p>}
      {snapshot.channels.map((channel) => {
        const key = channelKeyString(channel.key);
        const phase = channelPhaseDisplay(channel, connections.get(channel.key.conn), lookup);
        const told = toldApp(channel, connections.get(channel.key.conn));
        return (
          <ChannelCard
            channel={channel}
            phase={phase}
            told={told}
            verdict={result?.channels.get(key)}
            connection={result?.connections.get(channel.key.conn)}
            result={result}
            now={now}
            key={key}
          />
        );
      })}
    </div>
  );
}

function ChannelCard({
  channel,
  phase,
  told,
  verdict,
  connection,
  result,
  now,
}: {
  channel: ChannelRecord;
  phase: ChannelPhaseDisplay;
  told: ToldApp[];
  verdict?: ChannelVerdict;
  connection?: ConnectionVerdict;
  result?: EngineResult;
  now: number;
}) {
  const { key } = channel;
  const latest = channel.attempts[channel.attempts.length - 1];
  const serverError = lastServerError(channel);
  const postgres = postgresChangesStatus(channel);
  return (
    <div
      class={`card channel ${phase.phase}`}
      data-testid="channel-row"
      data-topic={key.topic}
      data-phase={phase.phase}
      data-closed-by={phase.closedBy}
      data-join-ref={String(key.joinRef)}
    >
      <div class="card-title">
        <span class={`badge ${phase.phase}`} data-testid="channel-phase">
          {phase.label}
        </span>
        <span class="topic captured">{capturedText(key.topic)}</span>
        {latest && (
          <span
            class={`badge ${latest.private ? 'private' : 'public'}`}
            data-testid="channel-privacy"
            data-private={String(latest.private)}
            title={
              latest.private
                ? 'Joined with config.private: the server checks the realtime.messages RLS policies for this topic'
                : 'Public channel: anyone with the project’s anon key can join it'
            }
          >
            {latest.private ? 'private' : 'public'}
          </span>
        )}
      </div>
      <div class="card-facts">
        <span>socket {key.conn}</span>
        <span>join_ref {String(key.joinRef)}</span>
        {channel.frameCount !== undefined && <span>{channel.frameCount} frames</span>}
        {channel.inferred && <span class="warn">join not captured (seen only through later frames)</span>}
        {channel.tokenPushes.length > 0 && <span>{channel.tokenPushes.length} access_token pushes (never answered on success)</span>}
        {channel.errors.length > 0 && <span class="warn">{channel.errors.length} phx_error</span>}
        {channel.closedBy && <span>closed by the server at {formatTime(channel.closedBy.time)}</span>}
        {channel.leftBy && <span>left by the page at {formatTime(channel.leftBy.time)}</span>}
        {phase.unload && <span>ended with its page at {formatTime(phase.unload.time)}</span>}
      </div>
      {result && verdict ? (
        // A channel that ended with its page is judged no longer: no live countdown for it.
        <EngineLines verdict={phase.unload ? { ...verdict, live: false } : verdict} result={result} now={now} />
      ) : (
        <p class="muted">Analysing the channel token…</p>
      )}
      {told.length > 0 && <AppStatusLine told={told} />}
      {serverError && (
        <div class="server-error" data-testid="channel-server-error" data-source={serverError.source} data-said={serverError.said}>
          <span class="muted">Last server error ({formatTime(serverError.time)}, {SERVER_ERROR_SOURCE[serverError.source]}): </span>
          <code class="captured">{capturedText(serverError.text)}</code>
          <div class="diagnosis">{capturedText(serverError.explanation, 2_000)}</div>
        </div>
      )}
      {postgres.state !== 'none' && (
        <div class={`postgres-status ${postgres.state}`} data-testid="postgres-changes" data-state={postgres.state} data-bindings={postgres.bindings}>
          <span class="muted">Postgres Changes: </span>
          {postgres.text}
          {postgres.serverText !== undefined && (
            <>
              {' — server: '}
              <code class="captured">{capturedText(postgres.serverText)}</code>
            </>
          )}
        </div>
      )}
      {connection && (
        <div class="client-line" data-testid="channel-client" data-client={connection.client}>
          <span class="muted">Client: </span>
          <span class="captured">{capturedText(connection.client)}</span>
          {connection.clientNotes.map((note, i) => (
            <div class="warn" key={i} data-testid="channel-client-note">
              {capturedText(note, 2_000)}
            </div>
          ))}
        </div>
      )}
      <ol class="attempts">
        {channel.attempts.map((attempt, i) => (
          <AttemptLine attempt={attempt} index={i} key={i} />
        ))}
      </ol>
      {channel.systemMessages.length > 0 && (
        <ul class="system-messages">
          {channel.systemMessages.map((m, i) => (
            <li key={i} data-testid="system-message">
              {formatTime(m.frame.time)} system: <span class="captured">{capturedText(systemText(m.payload))}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const SERVER_ERROR_SOURCE: Record<string, string> = {
  'join-reply': 'join refused',
  system: 'system message',
  phx_error: 'phx_error',
};

const SOURCE_WORDS: Record<string, string> = {
  'join-access-token': 'the join’s access_token',
  'join-user-token': 'the join’s user_token',
  'access-token-push': 'an access_token push',
  apikey: 'the socket’s apikey (no usable token in the join)',
  gateway: 'the gateway',
};

function EngineLines({ verdict, result, now }: { verdict: ChannelVerdict; result: EngineResult; now: number }) {
  const span = verdict.current;
  const latest = verdict.latest;
  const ignored = span?.ignored ?? [];
  return (
    <div class="engine-lines">
      <div
        data-testid="effective-token"
        data-source={span?.source ?? ''}
        data-label={span?.token?.label ?? ''}
        data-seconds-left={verdict.expiresAt === null ? '' : verdict.expiresAt - Math.floor((now + result.skewMs) / 1000)}
      >
        {span === null ? (
          'Token judged: unknown (the join was not captured).'
        ) : span.token === null ? (
          <>
            Token judged{verdict.live ? ' now' : ''}: <strong>issued by the gateway, not visible</strong> — {span.note}. No countdown.
          </>
        ) : (
          <>
            Token judged{verdict.live ? ' now' : ' last'}: <strong class="captured">{capturedText(span.token.label)}</strong>, from {SOURCE_WORDS[span.source] ?? span.source} at{' '}
            {formatTime(span.from)}
            {verdict.live ? (
              <>
                {' · '}
                <Countdown exp={span.token.claims?.exp} now={now} skewMs={result.skewMs} />
                {verdict.expiresAt !== null && ' — the server closes the channel at exp unless a newer token reaches it'}
              </>
            ) : (
              ' · the channel has ended'
            )}
          </>
        )}
      </div>
      {ignored.length > 0 && (
        <div class="muted" data-testid="ignored-pushes" data-count={ignored.length}>
          {ignored.length} access_token push{ignored.length === 1 ? '' : 'es'} ignored by the server, so the token above stayed in force:{' '}
          {[...new Set(ignored.map((i) => i.why))].join('; ')}
        </div>
      )}
      {latest && (
        <div class="verdict-line">
          <span>Join #{latest.index + 1}: </span>
          <span
            data-testid="predicted-verdict"
            data-accepted={latest.prediction ? String(latest.prediction.accepted) : 'null'}
            data-conditional={latest.prediction ? String(latest.prediction.conditional) : 'false'}
            data-reason={latest.prediction?.reason ?? ''}
          >
            predicted{latest.span?.token ? ` for ${capturedText(latest.span.token.label)}` : ''}:{' '}
            <strong class="captured">{capturedText(latest.prediction ? joinVerdictText(latest.prediction) : `no prediction (${latest.noPrediction ?? 'nothing to judge'})`, 2_000)}</strong>
            {latest.prediction && (
              <>
                {' '}
                <Conditions verdict={latest.prediction} />
              </>
            )}
            {latest.prediction?.accepted && latest.attempt.private && ' — then the private channel’s RLS read policy decides (not predictable)'}
          </span>
          <span> · </span>
          <span
            data-testid="server-verdict"
            data-status={latest.answer.kind}
            data-reason={latest.answer.kind === 'error' ? latest.answer.reason : ''}
          >
            server:{' '}
            <strong>
              {latest.answer.kind === 'ok'
                ? 'accepted (phx_reply ok)'
                : latest.answer.kind === 'error'
                  ? `refused: “${capturedText(latest.answer.reason)}”`
                  : latest.answer.kind === 'awaiting'
                    ? 'no reply yet'
                    : latest.answer.why}
            </strong>
          </span>
          <span> · </span>
          <MatchMark comparison={latest.comparison} testid="verdict-match" />
        </div>
      )}
    </div>
  );
}

/** What realtime-js told the page's subscribe callback, in its exact words (inferred, §7). */
function AppStatusLine({ told }: { told: ToldApp[] }) {
  const last = told[told.length - 1];
  return (
    <div class="app-status" data-testid="app-status" data-status={last.status} data-message={last.message ?? ''}>
      <span class="muted" title="Inferred from the frames as supabase-js 2.x reports them; the page's callback itself is not instrumented">
        The app was told:{' '}
      </span>
      {told.map((t, i) => (
        <span key={i} data-testid="app-status-entry" data-status={t.status} title={`${formatTime(t.time)}: ${t.meaning}`}>
          {i > 0 ? ' → ' : ''}
          <code class="captured">
            {t.status}
            {t.message !== undefined ? `: ${capturedText(t.message)}` : ''}
          </code>
        </span>
      ))}
      <span class="muted"> — {last.meaning}</span>
    </div>
  );
}

function AttemptLine({ attempt, index }: { attempt: JoinAttempt; index: number }) {
  const status = attempt.status ?? (attempt.reply ? attempt.reply.status : 'awaiting-reply');
  // The server's words for a refusal (verdicts.ts replyReason, shared with the verdict line).
  const reason = attempt.reply && attempt.reply.status !== 'ok' ? replyReason(attempt.reply.response) : undefined;
  return (
    <li class={`attempt ${status}`} data-testid="join-attempt" data-status={status}>
      <span class="time">{formatTime(attempt.frame.time)}</span> join #{index + 1} (ref {String(attempt.ref)}
      {attempt.private ? ', private' : ''}) · token: {tokenText(attempt)} · <strong>{statusText(status)}</strong>
      {reason && <span data-testid="join-reason"> — {capturedText(reason)}</span>}
    </li>
  );
}

function statusText(status: string): string {
  switch (status) {
    case 'ok':
      return 'joined';
    case 'error':
      return 'refused by the server';
    case 'awaiting-reply':
      return 'waiting for the reply';
    case 'timed-out':
      return 'no reply: the client gave up';
    case 'connection-closed':
      return 'the socket closed before a reply';
    default:
      return status;
  }
}

function tokenText(attempt: JoinAttempt): string {
  if (!attempt.hasAccessToken && !attempt.hasUserToken) return 'none in the join (the socket’s apikey applies)';
  const value = attempt.hasUserToken ? attempt.userToken : attempt.accessToken;
  const field = attempt.hasUserToken ? 'user_token' : 'access_token';
  if (typeof value !== 'string') return `${field} = ${capturedText(safeJsonText(value, { maxDepth: 8, maxLength: 200 }), 200)}`;
  if (value === '') return `${field} = "" (empty)`;
  return `${field} ${capturedText(maskSecret(value))}`;
}

function systemText(payload: unknown): string {
  if (payload && typeof payload === 'object') {
    const p = payload as Record<string, unknown>;
    const status = typeof p.status === 'string' ? `${p.status}: ` : '';
    if (typeof p.message === 'string') return (status + p.message).slice(0, 500);
  }
  return safeJsonText(payload ?? null, { maxDepth: 8, maxLength: 500 }).slice(0, 500);
}
