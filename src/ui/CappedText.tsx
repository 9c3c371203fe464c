// Captured text rendered safely: always as a text node (never HTML), capped, because a frame or an
// error body can be megabytes, with control and bidirectional characters shown as escapes. "Show
// more" raises the cap step by step. With `mask`, secrets are masked after capping, in the visible
// slice only (core/session/masking.ts maskTokensInCapped: a credential the cut falls into is
// masked whole), so a megabyte frame costs what its first screenful costs.

import { useState } from 'preact/hooks';
import { maskTokensInCapped } from '../core/session/masking';
import { capText, capturedBlock, PAYLOAD_VIEW_CAP } from './format';

export function CappedText(props: { text: string; cap?: number; testid?: string; mask?: boolean }) {
  const cap = props.cap ?? PAYLOAD_VIEW_CAP;
  const [limit, setLimit] = useState(cap);
  const shown = props.mask ? maskTokensInCapped(props.text, limit) : capText(props.text, limit);
  return (
    <div class="capped" data-testid={props.testid}>
      <pre class="payload captured">{capturedBlock(shown.text)}</pre>
      {shown.hidden > 0 && (
        <button type="button" class="link" onClick={() => setLimit(limit * 8)}>
          Show more ({shown.hidden.toLocaleString()} more characters)
        </button>
      )}
    </div>
  );
}
