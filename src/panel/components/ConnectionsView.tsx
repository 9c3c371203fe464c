// Connections: one row per Realtime socket — URL (API key masked unless revealed), vsn, state,
// frames both ways, heartbeats, close code and reason with what it means; the client (X-Client-Info)
// and what differs for its version; refused upgrades explained honestly.

import type { ConnectionId } from '../../core/model';
import {
  connectionDisplay,
  maskApikeyInUrl,
  refusedExplanation,
  unloadWords,
  type ConnectionVerdict,
  type DevtoolsSocketInfo,
  type SessionSnapshot,
} from '../../core/session';
import { capturedText, formatTime } from '../../ui/format';
import { Conditions, connectVerdictText, MatchMark } from '../../ui/VerdictText';

export function ConnectionsView(props: {
  snapshot: SessionSnapshot;
  revealKeys: boolean;
  /** Connections only DevTools' network log saw (inside DevTools); undefined for the hook's. */
  devtoolsSocket?: (conn: ConnectionId) => DevtoolsSocketInfo | undefined;
  /** The claims engine's predicted upgrade answer per socket (absent until it has run). */
  verdicts?: Map<string, ConnectionVerdict>;
}) {
  // Connections whose page went away (pagehide) are shown closed by that (core/session/unload.ts).
  const { connections, unloads, otherSockets } = props.snapshot;
  return (
    <div class="list-view" data-testid="connections-view">
      {connections.length === 0 && <p class="empty">No Realtime socket captured yet.</p>}
      {connections.map((c) => {
        const { state, unload } = connectionDisplay(c, unloads);
        const devtools = props.devtoolsSocket?.(c.conn);
        return (
          <div class={`card connection ${state}${devtools ? ' devtools-only' : ''}`} data-testid="connection-row" data-state={state} data-closed-by={unload?.cause} data-conn={c.conn} key={c.conn}>
            <div class="card-title">
              <span class={`badge ${state}`} data-testid="connection-state">
                {state}
              </span>
              {unload && (
                <span class="badge closed-by" data-testid="connection-closed-by">
                  {unloadWords(unload.cause)}
                </span>
              )}
              <span class="url captured" data-testid="connection-url">
                {c.url === '' ? '(socket URL not captured)' : capturedText(props.revealKeys ? c.url : maskApikeyInUrl(c.url), 2_000)}
              </span>
            </div>
            <div class="card-facts">
              <span>socket {c.conn}</span>
              <span data-testid="connection-client">{props.verdicts?.get(c.conn)?.client ?? `vsn ${c.vsn}`}</span>
              <span>created {formatTime(c.createdAt)}</span>
              {c.openedAt !== undefined && <span>opened {formatTime(c.openedAt)}</span>}
              <span data-testid="connection-frames">
                frames ↑{c.framesSent} ↓{c.framesReceived}
              </span>
              {c.undecodable > 0 && <span class="warn">{c.undecodable} undecodable</span>}
              {c.heartbeatsSent !== undefined && (
                <span>
                  heartbeats {c.heartbeatsSent} sent, {c.heartbeatsAnswered ?? 0} answered
                </span>
              )}
              {c.upgrade?.status !== undefined && <span>upgrade HTTP {c.upgrade.status}</span>}
              {c.errored && <span class="warn">error event</span>}
            </div>
            {devtools && <DevtoolsOnlyNote info={devtools} />}
            {unload && (
              <div class="card-facts" data-testid="connection-close">
                <span>
                  closed {formatTime(unload.time)}: {unloadWords(unload.cause)}
                  {unload.cause === 'bfcache'
                    ? ' (the page left for the back/forward cache; no close of this socket was captured, and it may come back with the page)'
                    : ' (the page went away with the socket still open; no close code or reason was captured)'}
                </span>
              </div>
            )}
            {c.close && devtools && c.close.code === 0 ? (
              <div class="card-facts" data-testid="connection-close">
                <span>closed {formatTime(c.close.time)} (DevTools’ network log does not record the close code or reason)</span>
              </div>
            ) : c.close && (
              <div class="card-facts" data-testid="connection-close">
                <span>
                  closed {formatTime(c.close.time)} with code {c.close.code}
                  {c.close.reason ? ` “${capturedText(c.close.reason)}”` : ' (no reason)'}
                  {c.close.wasClean ? '' : ', not clean'}
                </span>
                {props.verdicts?.get(c.conn)?.closeMeaning && <span data-testid="close-meaning">{props.verdicts.get(c.conn)!.closeMeaning}</span>}
              </div>
            )}
            {state === 'refused' && (
              <p class="note" data-testid="refused-explanation">
                {refusedExplanation(c)}
              </p>
            )}
            {props.verdicts?.get(c.conn) && <ConnectLine verdict={props.verdicts.get(c.conn)!} />}
            {props.verdicts?.get(c.conn)?.clientNotes.map((note, i) => (
              <p class="note" data-testid="client-note" key={i}>
                {note}
              </p>
            ))}
          </div>
        );
      })}
      {otherSockets > 0 && (
        <p class="muted" data-testid="other-sockets">
          {otherSockets} other WebSocket{otherSockets === 1 ? '' : 's'} on this page (not Realtime-shaped: counted, not recorded).
        </p>
      )}
    </div>
  );
}


/** The engine's predicted answer to the upgrade (from the apikey), next to what happened. */
function ConnectLine({ verdict }: { verdict: ConnectionVerdict }) {
  const p = verdict.prediction;
  return (
    <div class="verdict-line">
      <span data-testid="predicted-connect" data-accepted={String(p?.accepted ?? null)} data-status={p?.status ?? ''}>
        Predicted for the apikey{verdict.apikeyLabel ? ` (${capturedText(verdict.apikeyLabel)})` : ''}: <strong>{p ? capturedText(connectVerdictText(p), 2_000) : 'no prediction'}</strong>
        {p && p.accepted === null && ` — ${p.explanation}`}
        {p && (
          <>
            {' '}
            <Conditions verdict={p} />
          </>
        )}
      </span>
      <span> · </span>
      <MatchMark comparison={verdict.comparison} testid="connect-match" />
    </div>
  );
}

/** What is honestly known about a socket only DevTools saw. */
function DevtoolsOnlyNote({ info }: { info: DevtoolsSocketInfo }) {
  return (
    <p class="note" data-testid="devtools-only" data-frames-visible={String(info.framesVisible)}>
      Seen by DevTools only: Claimscope’s page hook did not see this socket — typically one opened by a Web Worker or SharedWorker, where
      the hook does not run.{' '}
      {info.framesVisible
        ? 'Its frames come from DevTools’ network log: they are visible only while DevTools is open, and frames sent before DevTools opened are missing.'
        : 'Frames not visible: this browser’s DevTools network log does not give WebSocket frames to extensions.'}
      {info.status === 0 && info.finished && ' DevTools’ network log shows no HTTP status for its upgrade.'}
      {info.unreadableMessages > 0 && ` ${info.unreadableMessages} message(s) in DevTools’ log could not be read.`}
    </p>
  );
}
