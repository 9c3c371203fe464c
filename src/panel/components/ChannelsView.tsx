// Channels: one card per channel instance (connection, topic, join_ref), with its phase and every
// join attempt: whether it carried a token, and what the server replied (or that it never did).

import type { ChannelRecord, JoinAttempt, RealtimeSession } from '../../core/realtime';
import { formatTime, maskSecret } from '../../ui/format';

export function ChannelsView({ session }: { session: RealtimeSession }) {
  return (
    <div class="list-view" data-testid="channels-view">
      {session.channels.length === 0 && <p class="empty">No channel joined yet.</p>}
      {session.channels.map((channel) => (
        <ChannelCard channel={channel} key={`${channel.key.conn}\u0000${channel.key.topic}\u0000${channel.key.joinRef}`} />
      ))}
    </div>
  );
}

function ChannelCard({ channel }: { channel: ChannelRecord }) {
  const { key } = channel;
  return (
    <div class={`card channel ${channel.phase}`} data-testid="channel-row" data-topic={key.topic} data-phase={channel.phase} data-join-ref={String(key.joinRef)}>
      <div class="card-title">
        <span class={`badge ${channel.phase}`} data-testid="channel-phase">
          {channel.phase}
        </span>
        <span class="topic">{key.topic}</span>
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
      </div>
      <ol class="attempts">
        {channel.attempts.map((attempt, i) => (
          <AttemptLine attempt={attempt} index={i} key={i} />
        ))}
      </ol>
      {channel.systemMessages.length > 0 && (
        <ul class="system-messages">
          {channel.systemMessages.map((m, i) => (
            <li key={i} data-testid="system-message">
              {formatTime(m.frame.time)} system: {systemText(m.payload)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function AttemptLine({ attempt, index }: { attempt: JoinAttempt; index: number }) {
  const status = attempt.status ?? (attempt.reply ? attempt.reply.status : 'awaiting-reply');
  const reason = replyReason(attempt.reply?.response);
  return (
    <li class={`attempt ${status}`} data-testid="join-attempt" data-status={status}>
      <span class="time">{formatTime(attempt.frame.time)}</span> join #{index + 1} (ref {String(attempt.ref)}
      {attempt.private ? ', private' : ''}) · token: {tokenText(attempt)} · <strong>{statusText(status)}</strong>
      {reason && <span data-testid="join-reason"> — {reason}</span>}
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
  if (typeof value !== 'string') return `${field} = ${JSON.stringify(value) ?? String(value)}`;
  if (value === '') return `${field} = "" (empty)`;
  return `${field} ${maskSecret(value)}`;
}

function replyReason(response: unknown): string | undefined {
  if (typeof response === 'string') return response;
  if (response && typeof response === 'object') {
    const r = response as Record<string, unknown>;
    for (const field of ['reason', 'error', 'message']) if (typeof r[field] === 'string') return r[field] as string;
  }
  return undefined;
}

function systemText(payload: unknown): string {
  if (payload && typeof payload === 'object') {
    const p = payload as Record<string, unknown>;
    const status = typeof p.status === 'string' ? `${p.status}: ` : '';
    if (typeof p.message === 'string') return (status + p.message).slice(0, 500);
  }
  try {
    return (JSON.stringify(payload) ?? '').slice(0, 500);
  } catch {
    return '(unprintable payload)';
  }
}
