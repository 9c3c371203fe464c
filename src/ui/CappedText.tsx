// Captured text rendered safely: always as a text node (never HTML), and capped, because a frame
// or an error body can be megabytes. "Show more" raises the cap step by step.

import { useState } from 'preact/hooks';
import { capText, PAYLOAD_VIEW_CAP } from './format';

export function CappedText(props: { text: string; cap?: number; testid?: string }) {
  const cap = props.cap ?? PAYLOAD_VIEW_CAP;
  const [limit, setLimit] = useState(cap);
  const shown = capText(props.text, limit);
  return (
    <div class="capped" data-testid={props.testid}>
      <pre class="payload">{shown.text}</pre>
      {shown.hidden > 0 && (
        <button type="button" class="link" onClick={() => setLimit(limit * 8)}>
          Show more ({shown.hidden.toLocaleString()} more characters)
        </button>
      )}
    </div>
  );
}
