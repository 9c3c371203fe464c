// The Frames view's details pane (issue 11 item 3): the selected frame's facts, its push or reply
// (one click away, tracker-paired by ref), and its payload as a JSON tree, as the pretty JSON text,
// and — for binary frames — as hex next to the decoded message. Undecodable frames are shown raw
// with the reason. All captured data is rendered as text nodes; secrets are masked unless the user
// reveals keys. Copy / Copy raw put the frame on the clipboard (copy-text.ts). Esc closes it (FramesView).

import { useState } from 'preact/hooks';
import { hexDump, HEX_VIEW_BYTES, type DecodedFrame, type FrameCatalog, type FrameEvent, type FrameLink } from '../../core/session';
import { CappedText } from '../../ui/CappedText';
import { capturedText, formatBytes, formatTime, prettyPayload } from '../../ui/format';
import { frameCopyText } from '../copy-text';
import { CopyActions } from './CopyActions';
import { JsonTree } from './JsonTree';

type PayloadTab = 'tree' | 'json' | 'hex';

export function FrameDetails(props: {
  catalog: FrameCatalog;
  frame: FrameEvent;
  revealKeys: boolean;
  link?: FrameLink;
  /** Whether the linked frame is in the list as filtered now. */
  linkListed: boolean;
  onOpen: (frame: FrameEvent) => void;
  onClose: () => void;
}) {
  const { catalog, frame, revealKeys, link } = props;
  // Decoded once at ingest; the payload comes from the session's cache (parsed again only if evicted).
  const decoded: DecodedFrame = catalog.decoded(frame);
  const [tab, setTab] = useState<PayloadTab>('tree');
  const binary = frame.opcode === 'binary';
  const raw = frame.opcode === 'text' ? (frame.text ?? '') : (frame.base64 ?? '');
  const tabs: Array<[PayloadTab, string]> = [
    ['tree', 'Tree'],
    ['json', 'JSON'],
    ...(binary ? ([['hex', 'Hex']] as Array<[PayloadTab, string]>) : []),
  ];
  return (
    <section class="details" data-testid="frame-details" aria-label="Frame details" key={`${frame.docId}:${frame.seq}`}>
      <header>
        <strong>
          {frame.dir === 'sent' ? 'Sent' : 'Received'} {frame.opcode} frame · {formatBytes(frame.size)} · {formatTime(frame.time)} · socket{' '}
          {frame.conn}
        </strong>
        {/* Masked unless the user picks Copy raw, whatever "Show keys" shows. */}
        <CopyActions what={`frame #${frame.seq}`} text={(mode) => frameCopyText(frame, decoded, mode)} testid="frame" />
        <button type="button" class="link" onClick={props.onClose} aria-label="Close frame details (Esc)" data-testid="frame-details-close">
          ×
        </button>
      </header>
      {link && <LinkLine link={link} catalog={catalog} listed={props.linkListed} onOpen={props.onOpen} />}
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
          <div class="payload-tabs" role="tablist" aria-label="Payload as">
            <h4>Payload</h4>
            {tabs.map(([name, label]) => (
              <button
                type="button"
                role="tab"
                key={name}
                id={`payload-tab-${name}`}
                aria-selected={tab === name}
                aria-controls={`payload-pane-${name}`}
                class={tab === name ? 'tab selected' : 'tab'}
                data-testid={`payload-tab-${name}`}
                onClick={() => setTab(name)}
              >
                {label}
              </button>
            ))}
          </div>
          {/* Every pane stays in the document (hidden when not chosen): each is capped, and the pretty
              JSON text is what a person (or a test) searches with the browser's find. */}
          <div role="tabpanel" id="payload-pane-tree" aria-labelledby="payload-tab-tree" hidden={tab !== 'tree'}>
            {decoded.message.payload === undefined ? (
              <p class="muted">(no payload)</p>
            ) : (
              <JsonTree value={decoded.message.payload} mask={!revealKeys} label="Payload tree" testid="frame-tree" />
            )}
          </div>
          <div role="tabpanel" id="payload-pane-json" aria-labelledby="payload-tab-json" hidden={tab !== 'json'}>
            <CappedText text={prettyPayload(decoded.message.payload)} mask={!revealKeys} testid="frame-payload" />
          </div>
          {decoded.metadata !== undefined && (
            <>
              <h4>Metadata</h4>
              <JsonTree value={decoded.metadata} mask={!revealKeys} label="Metadata tree" />
            </>
          )}
          {binary && (
            <div role="tabpanel" id="payload-pane-hex" aria-labelledby="payload-tab-hex" hidden={tab !== 'hex'}>
              <HexView base64={raw} mask={!revealKeys} />
            </div>
          )}
        </>
      ) : (
        <>
          <p class="note error" data-testid="undecodable-reason">
            Could not decode this frame: <span class="captured">{capturedText(decoded.reason, 2_000)}</span>
          </p>
          <h4>Raw {frame.opcode === 'text' ? 'text' : 'bytes (base64)'}</h4>
          <CappedText text={raw} mask={!revealKeys} testid="frame-raw" />
          {binary && (
            <>
              <h4>Hex</h4>
              <HexView base64={raw} mask={!revealKeys} />
            </>
          )}
        </>
      )}
    </section>
  );
}

function LinkLine({ link, catalog, listed, onOpen }: { link: FrameLink; catalog: FrameCatalog; listed: boolean; onOpen: (frame: FrameEvent) => void }) {
  const other = link.other;
  const described = catalog.describe(other);
  const words =
    link.role === 'reply'
      ? `Reply: ${capturedText(described.event, 200)} at ${formatTime(other.time)}`
      : `Reply to ${capturedText(link.pushEvent, 100)} sent at ${formatTime(other.time)}`;
  return (
    <p class="frame-link-line">
      <button type="button" class="link" data-testid="frame-link" data-role={link.role} onClick={() => onOpen(other)}>
        {link.role === 'reply' ? '↓ ' : '↑ '}
        {words}
      </button>
      {!listed && <span class="muted"> (hidden by the current filter)</span>}
    </p>
  );
}

function HexView({ base64, mask }: { base64: string; mask: boolean }) {
  const [limit, setLimit] = useState(HEX_VIEW_BYTES);
  const dump = hexDump(base64, limit, mask);
  if (dump.error) return <p class="note error">{dump.error}</p>;
  return (
    <div class="capped" data-testid="frame-hex" data-bytes={dump.totalBytes}>
      <pre class="payload hex">{dump.lines.join('\n')}</pre>
      {dump.maskedBytes > 0 && <p class="muted">{dump.maskedBytes.toLocaleString()} bytes of secrets shown as •• (tick “Show keys” to see them).</p>}
      {dump.shownBytes < dump.totalBytes && (
        <button type="button" class="link" onClick={() => setLimit(limit * 8)}>
          Show more ({(dump.totalBytes - dump.shownBytes).toLocaleString()} more bytes)
        </button>
      )}
    </div>
  );
}
