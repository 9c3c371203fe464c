// Verify (issue 12 item 2): the JWT secret (text or base64) or a JWK / JWKS the user pastes, put in
// the key store shared with the panel (src/ui/key-store.ts): this page's memory, and
// storage.session only while "Remember until the browser closes" is ticked. The token is then
// judged with it (jose, locally): signature valid or invalid. A private JWK also mints (Fix it).

import { useState } from 'preact/hooks';
import { parseKeyInput } from '../../core/session';
import { RememberKeysToggle } from '../../ui/RememberKeysToggle';
import { useSharedKeys } from '../../ui/shared-keys';

export function KeysBox() {
  const { store, state } = useSharedKeys();
  const [text, setText] = useState('');
  const [encoding, setEncoding] = useState<'text' | 'base64'>('text');
  const [error, setError] = useState<string | null>(null);
  const { secret, jwks } = state.keys;
  const privateCount = jwks?.keys.filter((k) => typeof k.d === 'string').length ?? 0;

  const apply = async () => {
    const parsed = parseKeyInput(text, encoding);
    if (!parsed.ok) return setError(parsed.error);
    setError(null);
    setText('');
    if (parsed.kind === 'secret') await store.setSecret(parsed.bytes, parsed.encoding);
    else await store.setJwks(parsed.keys, 'pasted');
  };

  const held = [
    secret ? `the JWT secret (${secret.encoding === 'base64' ? 'base64' : 'text'})` : '',
    jwks ? `${jwks.from === 'pasted' ? 'a pasted' : 'the fetched'} JWKS of ${jwks.keys.length} key${jwks.keys.length === 1 ? '' : 's'}${privateCount ? `, ${privateCount} private` : ''}` : '',
  ].filter(Boolean);

  return (
    <section class="keys" aria-labelledby="keys-label" data-testid="keys-box" data-secret={secret ? 'yes' : 'no'} data-jwks={jwks ? 'yes' : 'no'} data-remember={String(state.remember)}>
      <label id="keys-label" for="key-input" class="heading">
        Verify with a key
      </label>
      <div class="keys-row">
        <input
          id="key-input"
          type="password"
          autocomplete="off"
          spellcheck={false}
          data-testid="key-input"
          placeholder="JWT secret, or a JWK / JWKS (JSON)"
          aria-describedby="keys-help"
          value={text}
          onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void apply();
            }
          }}
        />
        <select aria-label="Secret encoding" data-testid="key-encoding" value={encoding} onChange={(e) => setEncoding((e.currentTarget as HTMLSelectElement).value as 'text' | 'base64')}>
          <option value="text">secret as text</option>
          <option value="base64">secret as base64</option>
        </select>
        <button type="button" data-testid="key-apply" onClick={() => void apply()}>
          Use key
        </button>
      </div>
      <p id="keys-help" class="muted small">
        Checked here with jose; the key is never sent. JSON is read as a JWK or JWKS (a private JWK can also mint a local test token).
      </p>
      <p class="keys-row">
        <RememberKeysToggle view="popup" />
        {held.length > 0 && (
          <button type="button" data-testid="keys-forget" onClick={() => void store.forget()}>
            Forget keys
          </button>
        )}
      </p>
      <p class="muted small" data-testid="keys-status" role="status">
        {held.length > 0
          ? `Using ${held.join(' and ')}; ${state.remember ? 'remembered until the browser closes (the panel uses it too)' : 'in this page’s memory only'}.`
          : 'No key: signatures are not verified, so verdicts are conditional.'}
      </p>
      {error && (
        <p class="line error" role="alert" data-testid="keys-error">
          {error}
        </p>
      )}
    </section>
  );
}
