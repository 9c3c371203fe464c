// Copy and Copy raw for one item (a frame, a token, a finding; issue 11 item 4). Copy is masked
// (copy-text.ts: the export's redaction); Copy raw is a separate, labelled button, so secrets
// reach the clipboard only when the user picks it. The text is built in the click itself (copy.ts
// needs the click's user activation for its execCommand fallback) and the outcome is said in a
// status next to the buttons: what was copied and how much, or why it could not be.

import { useState } from 'preact/hooks';
import { copyText } from '../copy';
import type { CopyMode } from '../copy-text';

type Outcome = { kind: 'ok' | 'error'; text: string; route?: 'clipboard' | 'fallback'; mode: CopyMode };

export function CopyActions(props: {
  /**
   * What is copied, in words for the status and the buttons' accessible names ("frame #12"); each
   * name starts with the button's visible words ("Copy: frame #12, …", "Copy raw: frame #12 …").
   */
  what: string;
  /** The text for a mode; called on click only. */
  text: (mode: CopyMode) => string;
  /** Prefix of the test ids: `${testid}-copy`, `${testid}-copy-raw`, `${testid}-copy-status`. */
  testid: string;
}) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const copy = async (mode: CopyMode) => {
    try {
      const text = props.text(mode);
      const route = await copyText(text);
      const how = mode === 'raw' ? 'raw, with its secrets' : 'redacted like an export (no signatures, secrets or personal data)';
      setOutcome({ kind: 'ok', mode, route, text: `Copied ${props.what}, ${how}: ${text.length.toLocaleString()} characters.` });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      setOutcome({ kind: 'error', mode, text: `Could not copy ${props.what}: ${reason}. Click in the panel and try again.` });
    }
  };
  return (
    <span class="copy-actions">
      <button type="button" class="link" data-testid={`${props.testid}-copy`} aria-label={`Copy: ${props.what}, secrets masked`} onClick={() => void copy('masked')}>
        Copy
      </button>
      <button
        type="button"
        class="link raw"
        data-testid={`${props.testid}-copy-raw`}
        aria-label={`Copy raw: ${props.what} with its JWT signatures and secret keys`}
        title="Copies the captured text unmasked: JWT signatures and secret keys included"
        onClick={() => void copy('raw')}
      >
        Copy raw
      </button>
      {/* Always in the document, so a screen reader announces what changes in it. */}
      <span
        class={outcome?.kind === 'error' ? 'copy-status error' : 'copy-status'}
        role="status"
        data-testid={`${props.testid}-copy-status`}
        data-kind={outcome?.kind}
        data-mode={outcome?.mode}
        data-copy-route={outcome?.route}
      >
        {outcome?.text}
      </span>
    </span>
  );
}
