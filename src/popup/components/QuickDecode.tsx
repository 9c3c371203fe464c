// The paste box and its answer. A token picked from the tab summary is judged without being put in
// the box, so it is never on screen unmasked; typing in the box drops the pick.

import { useTicker } from '../../panel/components/useAnalysis';
import { useSharedKeys } from '../../ui/shared-keys';
import { KeysBox } from './KeysBox';
import { TokenResult } from './TokenResult';
import { useJudgedToken } from './useJudgedToken';

export interface PickedToken {
  /** The token as captured (never rendered). */
  raw: string;
  /** The engine's label for it (non-secret). */
  label: string;
}

export function QuickDecode({ text, picked, onText }: { text: string; picked: PickedToken | null; onText: (text: string) => void }) {
  const { store, state: keys } = useSharedKeys();
  const judged = useJudgedToken(picked ? picked.raw : text, store.project(), `keys-${keys.version}`);
  const now = useTicker();
  return (
    <section class="quick-decode" aria-labelledby="paste-label">
      <label id="paste-label" for="paste-box" class="heading">
        Paste a token
      </label>
      <textarea
        id="paste-box"
        data-testid="paste-box"
        rows={3}
        spellcheck={false}
        autocomplete="off"
        autocapitalize="off"
        placeholder="eyJhbGciOi… · Bearer eyJ… · sb_publishable_… · sb_secret_…"
        aria-describedby="paste-help"
        value={text}
        onInput={(e) => onText((e.currentTarget as HTMLTextAreaElement).value)}
      />
      <p id="paste-help" class="muted small">
        A JWT as is, after <code>Bearer</code>, URL-encoded, quoted or broken across lines, or an sb_ key. Decoded here; nothing is sent
        anywhere or kept.
      </p>
      <KeysBox />
      {picked && (
        <p class="line" data-testid="picked-token">
          Decoding {picked.label}, seen on this tab.
        </p>
      )}
      <div aria-live="polite">
        {judged.kind === 'empty' && (
          <p class="hint" data-testid="decode-hint" data-state={judged.whitespace ? 'whitespace' : 'empty'}>
            {judged.whitespace
              ? 'Only spaces or line breaks so far: paste the token itself.'
              : 'Paste a token to see its claims, its problems and what Realtime will answer.'}
          </p>
        )}
        {judged.kind === 'judging' && <p class="muted">Decoding…</p>}
        {judged.kind === 'failed' && (
          <p class="line error" data-testid="decode-failed" role="alert">
            Could not judge this token: {judged.message}. Please report this.
          </p>
        )}
        {judged.kind === 'done' && <TokenResult pasted={judged.pasted} at={judged.at} now={now} />}
      </div>
    </section>
  );
}
