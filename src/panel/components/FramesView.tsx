// Frames: every captured frame (and socket lifecycle line, and reload separator) in a virtual list,
// filtered by the toolbar's text (or regex) and this view's filter bar, with the selected frame's
// details below it (FrameDetails: JSON tree, hex, push ↔ reply). The list is a listbox: Up/Down,
// PageUp/PageDown, Home/End move the cursor, Enter opens the frame. The filtering itself is the
// session core's (frameList), so 100,000 frames cost a scan of cached facts, and the list renders
// only the rows in view (VirtualList).

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { frameFacets, frameList, maskApikeyInUrl, maskTokensInText, type FrameEvent, type FrameListItem, type Session, type SessionSnapshot } from '../../core/session';
import { CAPTURED_LINE_CAP, capturedText, formatBytes, formatTime } from '../../ui/format';
import { VirtualList } from '../../ui/VirtualList';
import type { FrameFacetFilter } from '../ui-state';
import { FrameDetails } from './FrameDetails';
import { FrameFilterBar } from './FrameFilterBar';
import './frames.css';

const ROW_HEIGHT = 21;

export function FramesView(props: {
  session: Session;
  snapshot: SessionSnapshot;
  /** The toolbar's filter text and heartbeat toggle, and this view's other filters (ui-state.ts). */
  filterText: string;
  showHeartbeats: boolean;
  frameFilter: FrameFacetFilter;
  onFrameFilter: (patch: Partial<FrameFacetFilter>) => void;
  onClearFilters: () => void;
  revealKeys: boolean;
  /** The frame open in the details pane (panel UI state, src/panel/ui-state.ts). */
  selected?: FrameEvent;
  onSelect: (frame: FrameEvent | undefined) => void;
}) {
  const { session, snapshot, selected, frameFilter } = props;
  const catalog = session.catalog;
  const { filterText, showHeartbeats } = props;
  const list = useMemo(
    () => frameList(snapshot.rows, catalog, { text: filterText, showHeartbeats, ...frameFilter }),
    [snapshot.contentVersion, catalog, filterText, showHeartbeats, frameFilter],
  );
  // The choices of the topic and event filters: what was captured (most frequent first).
  const facets = useMemo(() => frameFacets(snapshot.rows, catalog), [snapshot.contentVersion, catalog]);
  const selectedIndex = selected ? list.items.findIndex((item) => item.kind === 'frame' && item.event === selected) : -1;
  const link = selected ? session.frameLink(selected) : undefined;
  const linked = link?.other;
  // The keyboard cursor (Up/Down move it, Enter opens its frame); it starts on the selected row.
  const [cursor, setCursor] = useState(-1);
  const [reveal, setReveal] = useState<number | undefined>(undefined);
  useEffect(() => {
    if (selectedIndex >= 0) {
      setCursor(selectedIndex);
      setReveal(selectedIndex);
    }
  }, [selected, selectedIndex]);
  const listRef = useRef<HTMLDivElement>(null);

  const moveCursor = (to: number) => {
    if (list.items.length === 0) return;
    const next = Math.max(0, Math.min(list.items.length - 1, to));
    setCursor(next);
    setReveal(next);
  };
  const pageRows = () => Math.max(1, Math.floor((listRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
  const onListKey = (e: KeyboardEvent) => {
    const from = cursor >= 0 && cursor < list.items.length ? cursor : selectedIndex >= 0 ? selectedIndex : list.items.length - 1;
    switch (e.key) {
      case 'ArrowDown':
        moveCursor(cursor < 0 ? from : from + 1);
        break;
      case 'ArrowUp':
        moveCursor(cursor < 0 ? from : from - 1);
        break;
      case 'PageDown':
        moveCursor(from + pageRows());
        break;
      case 'PageUp':
        moveCursor(from - pageRows());
        break;
      case 'Home':
        moveCursor(0);
        break;
      case 'End':
        moveCursor(list.items.length - 1);
        break;
      case 'Enter': {
        const item = list.items[from];
        if (item?.kind === 'frame') props.onSelect(item.event);
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  };

  const renderRow = (item: FrameListItem, index: number) => {
    switch (item.kind) {
      case 'separator':
        return (
          <div class="row separator" data-testid="reload-separator">
            Page reloaded: <span class="captured">{capturedText(props.revealKeys ? item.separator.url : maskTokensInText(maskApikeyInUrl(item.separator.url)))}</span>
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
            id={`frame-option-${index}`}
            role="option"
            aria-selected={e === selected}
            class={`row frame-row ${e === selected ? 'selected' : ''} ${index === cursor ? 'cursor' : ''} ${linked === e ? 'linked' : ''} ${facts.decoded ? '' : 'undecodable'} ${facts.heartbeat ? 'heartbeat' : ''} ${facts.error ? 'error' : ''}`}
            data-testid="frame-row"
            data-event={facts.event}
            data-topic={facts.topic}
            data-dir={e.dir}
            data-source={e.source}
            data-error={facts.error ? 'true' : undefined}
            onClick={() => {
              setCursor(index);
              props.onSelect(e);
            }}
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

  const filtering = filterText.trim() !== '' || frameFilter.dir !== undefined || frameFilter.topic !== undefined || frameFilter.event !== undefined || frameFilter.errorsOnly;
  const shownLine =
    filtering || list.hiddenHeartbeats > 0
      ? `Showing ${list.matchingFrames.toLocaleString()} of ${list.totalFrames.toLocaleString()} frames` +
        (list.hiddenHeartbeats > 0 ? ` (${list.hiddenHeartbeats.toLocaleString()} heartbeats hidden)` : '')
      : `${list.totalFrames.toLocaleString()} frames`;

  return (
    <div class="frames-view">
      <FrameFilterBar
        filter={frameFilter}
        facets={facets}
        onChange={props.onFrameFilter}
        onClear={props.onClearFilters}
        active={filtering || !showHeartbeats || frameFilter.regex}
      />
      <div class="frames-header" aria-hidden="true">
        <span class="dir" />
        <span class="time">Time</span>
        <span class="topic">Topic</span>
        <span class="event">Event</span>
        <span class="size">Size</span>
        <span class="summary">Payload</span>
      </div>
      <div
        class="frames-listbox"
        ref={listRef}
        role="listbox"
        aria-label="Frames (Up and Down move, Enter opens)"
        tabIndex={0}
        aria-activedescendant={cursor >= 0 && cursor < list.items.length && list.items[cursor].kind === 'frame' ? `frame-option-${cursor}` : undefined}
        data-testid="frames-listbox"
        onKeyDown={onListKey}
      >
        <VirtualList
          items={list.items}
          rowHeight={ROW_HEIGHT}
          renderRow={renderRow}
          followTail
          testid="frames-list"
          class="frames-list"
          revealIndex={reveal}
        />
      </div>
      <div class="status-line" data-testid="frames-count">
        {shownLine}
        {list.searchError && (
          <span class="filter-error" role="alert" data-testid="filter-error">
            {' · '}
            {list.searchError}
          </span>
        )}
        {list.searchStopped && (
          <span class="warn" role="status" data-testid="filter-stopped" data-checked={list.searchStopped.checked}>
            {' · '}The regex search was stopped after {list.searchStopped.checked.toLocaleString()} frames: it is too slow on these frames. Make it
            more specific (fixed words, fewer .* and +).
          </span>
        )}
        {selected && selectedIndex < 0 && (
          <span data-testid="selected-hidden">
            {' · '}The open frame is hidden by the filters.{' '}
            <button type="button" class="link" onClick={props.onClearFilters}>
              Show all frames
            </button>
          </span>
        )}
      </div>
      {selected && (
        <FrameDetails
          catalog={catalog}
          frame={selected}
          revealKeys={props.revealKeys}
          link={link}
          linkListed={linked !== undefined && list.items.some((item) => item.kind === 'frame' && item.event === linked)}
          onOpen={(frame) => props.onSelect(frame)}
          onClose={() => {
            props.onSelect(undefined);
            listRef.current?.focus();
          }}
        />
      )}
    </div>
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
