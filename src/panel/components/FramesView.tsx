// Frames: every captured frame (and socket lifecycle line, and reload separator) in a virtual list,
// with the selected frame decoded below it. Undecodable frames are shown raw with the reason.

import type { DecodedFrame } from '../../core/realtime';
import { maskApikeyInUrl, maskTokensInText, type FrameCatalog, type FrameEvent, type FrameList, type FrameListItem } from '../../core/session';
import { CappedText } from '../../ui/CappedText';
import { CAPTURED_LINE_CAP, capturedText, formatBytes, formatTime, prettyPayload } from '../../ui/format';
import { VirtualList } from '../../ui/VirtualList';

const ROW_HEIGHT = 21;

export function FramesView(props: {
  catalog: FrameCatalog;
  list: FrameList;
  revealKeys: boolean;
  filterActive: boolean;
  /** The frame open in the details pane (panel UI state, src/panel/ui-state.ts). */
  selected?: FrameEvent;
  onSelect: (frame: FrameEvent | undefined) => void;
}) {
  const { catalog, list, selected } = props;

  const renderRow = (item: FrameListItem) => {
    switch (item.kind) {
      case 'separator':
        return (
          <div class="row separator" data-testid="reload-separator">
            Page reloaded: <span class="captured">{capturedText(item.separator.url)}</span>
          </div>
        );
      case 'drops':
        return (
          <div class="row drops-row" data-testid="drops-row">
            {formatTime(item.event.time)} · Capture dropped {item.event.droppedEvents.toLocaleString()} events
            {item.event.truncatedFrames > 0 ? ` and kept ${item.event.truncatedFrames.toLocaleString()} frames as previews` : ''} (
            {capturedText(item.event.reason)})
          </div>
        );
      case 'socket': {
        const e = item.event;
        let text: string;
        if (e.kind === 'ws-connecting')
          text = `socket ${e.conn} connecting to ${capturedText(props.revealKeys ? e.url : maskApikeyInUrl(e.url))}${typeof e.urlLength === 'number' ? ` … (URL cut: ${e.urlLength.toLocaleString()} characters)` : ''}`;
        else if (e.kind === 'ws-open') text = `socket ${e.conn} open`;
        else if (e.kind === 'ws-close' && e.source === 'devtools' && e.code === 0)
          // DevTools' network log has no close code or reason (devtools-merge.ts): say so, invent none.
          text = `socket ${e.conn} closed (DevTools' network log does not record the close code)`;
        else if (e.kind === 'ws-close')
          text = `socket ${e.conn} closed: code ${e.code}${e.reason ? ` “${capturedText(e.reason)}”` : ''}${e.wasClean ? '' : ' (not clean)'}`;
        else text = `socket ${e.conn} error`;
        return (
          <div class="row socket-row" data-testid="socket-row" data-kind={e.kind} data-source={e.source}>
            <span class="time">{formatTime(e.time)}</span>
            <span class="socket-text captured">{text}</span>
            {e.source === 'devtools' && <DevtoolsTag />}
          </div>
        );
      }
      case 'frame': {
        const e = item.event;
        const facts = catalog.facts(e);
        const description = catalog.describe(e);
        return (
          <div
            class={`row frame-row ${e === selected ? 'selected' : ''} ${facts.decoded ? '' : 'undecodable'} ${facts.heartbeat ? 'heartbeat' : ''}`}
            data-testid="frame-row"
            data-event={facts.event}
            data-topic={facts.topic}
            data-dir={e.dir}
            data-source={e.source}
            onClick={() => props.onSelect(e)}
          >
            <span class={`dir ${e.dir}`} title={e.dir === 'sent' ? 'sent by the page' : 'received from the server'}>
              {e.dir === 'sent' ? '↑' : '↓'}
            </span>
            <span class="time">{formatTime(e.time)}</span>
            <span class="topic captured">{capturedText(description.topic)}</span>
            <span class="event captured" title={capturedText(description.event)}>
              {capturedText(description.event)}
            </span>
            <span class="size">{formatBytes(e.size)}</span>
            <span class="summary captured">
              {e.source === 'devtools' && <DevtoolsTag />}
              {summaryText(description.summary, props.revealKeys)}
            </span>
          </div>
        );
      }
    }
  };

  const shownLine =
    props.filterActive || list.hiddenHeartbeats > 0
      ? `Showing ${list.matchingFrames.toLocaleString()} of ${list.totalFrames.toLocaleString()} frames` +
        (list.hiddenHeartbeats > 0 ? ` (${list.hiddenHeartbeats.toLocaleString()} heartbeats hidden)` : '')
      : `${list.totalFrames.toLocaleString()} frames`;

  return (
    <div class="frames-view">
      <div class="frames-header">
        <span class="dir" />
        <span class="time">Time</span>
        <span class="topic">Topic</span>
        <span class="event">Event</span>
        <span class="size">Size</span>
        <span class="summary">Payload</span>
      </div>
      <VirtualList
        items={list.items}
        rowHeight={ROW_HEIGHT}
        renderRow={renderRow}
        followTail
        testid="frames-list"
        class="frames-list"
        revealIndex={selected ? list.items.findIndex((item) => item.kind === 'frame' && item.event === selected) : undefined}
      />
      <div class="status-line" data-testid="frames-count">
        {shownLine}
      </div>
      {selected && <FrameDetails catalog={catalog} frame={selected} revealKeys={props.revealKeys} onClose={() => props.onSelect(undefined)} />}
    </div>
  );
}

function FrameDetails({ catalog, frame, revealKeys, onClose }: { catalog: FrameCatalog; frame: FrameEvent; revealKeys: boolean; onClose: () => void }) {
  // Decoded once at ingest; the payload comes from the session's cache (parsed again only if evicted).
  const decoded: DecodedFrame = catalog.decoded(frame);
  // Join payloads and refreshes carry whole tokens: signatures stay hidden unless keys are revealed
  // (CappedText masks after capping, the visible slice only).
  const raw = frame.opcode === 'text' ? (frame.text ?? '') : (frame.base64 ?? '');
  return (
    <section class="details" data-testid="frame-details" key={`${frame.docId}:${frame.seq}`}>
      <header>
        <strong>
          {frame.dir === 'sent' ? 'Sent' : 'Received'} {frame.opcode} frame · {formatBytes(frame.size)} · {formatTime(frame.time)} · socket{' '}
          {frame.conn}
        </strong>
        <button type="button" class="link" onClick={onClose} aria-label="Close frame details">
          ×
        </button>
      </header>
      {frame.source === 'devtools' && (
        <p class="note" data-testid="frame-devtools-source">
          Seen by DevTools only: Claimscope’s page hook did not see this socket (typically one opened by a Web Worker, where the hook does
          not run). This frame comes from DevTools’ network log, which records it only while DevTools is open.
        </p>
      )}
      {frame.truncated && (
        <p class="note">Only a preview of this frame was kept (it was {formatBytes(frame.size)}); the payload below is cut.</p>
      )}
      {decoded.ok ? (
        <>
          <dl class="facts">
            <dt>Format</dt>
            <dd>
              {decoded.format}
              {decoded.binaryKind !== undefined ? ` · binary kind ${decoded.binaryKind}` : ''}
            </dd>
            <dt>Topic</dt>
            <dd class="captured">{capturedText(decoded.message.topic)}</dd>
            <dt>Event</dt>
            <dd class="captured">
              {capturedText(decoded.message.event)}
              {decoded.userEvent !== undefined ? ` · user event “${capturedText(decoded.userEvent)}” (${decoded.payloadEncoding ?? 'json'})` : ''}
            </dd>
            <dt>join_ref / ref</dt>
            <dd class="captured">
              {capturedText(String(decoded.message.joinRef))} / {capturedText(String(decoded.message.ref))}
            </dd>
            {decoded.notes && decoded.notes.length > 0 && (
              <>
                <dt>Notes</dt>
                <dd class="captured">{capturedText(decoded.notes.join(' · '), 2_000)}</dd>
              </>
            )}
          </dl>
          <h4>Payload</h4>
          <CappedText text={prettyPayload(decoded.message.payload)} mask={!revealKeys} testid="frame-payload" />
          {decoded.metadata !== undefined && (
            <>
              <h4>Metadata</h4>
              <CappedText text={prettyPayload(decoded.metadata)} mask={!revealKeys} />
            </>
          )}
        </>
      ) : (
        <>
          <p class="note error" data-testid="undecodable-reason">
            Could not decode this frame: <span class="captured">{capturedText(decoded.reason, 2_000)}</span>
          </p>
          <h4>Raw {frame.opcode === 'text' ? 'text' : 'bytes (base64)'}</h4>
          <CappedText text={raw} mask={!revealKeys} testid="frame-raw" />
        </>
      )}
    </section>
  );
}

/**
 * A row's payload preview: capped, masked in what is shown only, then escaped. The session's
 * description already clipped it (ending in "…"), so it is masked as a cut text: a token the clip
 * fell into shows "…(signature hidden)", never the start of its signature.
 */
function summaryText(summary: string, revealKeys: boolean): string {
  const long = summary.length > CAPTURED_LINE_CAP;
  const clipped = long || summary.endsWith('…');
  const body = long ? summary.slice(0, CAPTURED_LINE_CAP) : clipped ? summary.slice(0, -1) : summary;
  const shown = revealKeys ? body : maskTokensInText(body, { truncated: clipped });
  return capturedText(clipped ? `${shown}…` : shown, Number.POSITIVE_INFINITY);
}

/** Marks rows that only DevTools' network log saw (the page hook did not: e.g. a worker's socket). */
function DevtoolsTag() {
  return (
    <span
      class="source-tag"
      data-testid="devtools-source-tag"
      title="Seen by DevTools only: Claimscope's page hook did not see this socket (typically opened by a Web Worker). Read from DevTools' network log, so visible only while DevTools is open."
    >
      DevTools only
    </span>
  );
}
