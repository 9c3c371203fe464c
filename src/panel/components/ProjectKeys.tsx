// What the user tells Claimscope about the project, so signatures can be checked: the project's
// public JWKS (fetched only when the user clicks), or the JWT secret (typed). Both live in the one
// key store shared with the popup (src/ui/key-store.ts): this page's memory, and storage.session
// only while "remember until the browser closes" is ticked; never stored otherwise, never sent.
// Without them every verdict stays "conditional".

import { useMemo, useState } from 'preact/hooks';
import type { ConnectionRecord } from '../../core/realtime';
import { parseJwks, secretFromBase64, secretFromText, type ProjectKnowledge } from '../../core/session';
import { useSharedKeys } from '../../ui/shared-keys';

export interface ProjectKeysState {
  project: ProjectKnowledge;
  /** Changes whenever the knowledge changes (part of the engine's cache key). */
  key: string;
  jwksFrom?: string;
  jwksCount?: number;
  secretSet: boolean;
}

/** The panel's view of the shared key store (re-rendered when the popup or this panel changes it). */
export function useProjectKeys(): ProjectKeysState {
  const { store, state } = useSharedKeys();
  return useMemo(
    () => ({
      project: store.project(),
      key: state.version === 0 ? 'none' : `keys-${state.version}`,
      jwksFrom: state.keys.jwks?.from,
      jwksCount: state.keys.jwks?.keys.length,
      secretSet: state.keys.secret !== undefined,
    }),
    [state],
  );
}

/** Project origins the page talks to (Realtime sockets), where `/auth/v1/.well-known/jwks.json` lives. */
function projectOrigins(connections: readonly ConnectionRecord[]): string[] {
  const out: string[] = [];
  for (const c of connections) {
    const m = /^(wss?|https?):\/\/([^/?#]+)/i.exec(c.url);
    if (!m) continue;
    const origin = `${/^wss$|^https$/i.test(m[1]) ? 'https' : 'http'}://${m[2]}`;
    if (!out.includes(origin)) out.push(origin);
  }
  return out;
}

export function ProjectKeys(props: { connections: readonly ConnectionRecord[]; keys: ProjectKeysState }) {
  const { keys } = props;
  const { store, state } = useSharedKeys();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState('');
  const [encoding, setEncoding] = useState<'text' | 'base64'>('text');
  const origins = projectOrigins(props.connections);

  const fetchJwks = async (origin: string) => {
    setBusy(true);
    setError(null);
    const url = `${origin}/auth/v1/.well-known/jwks.json`;
    try {
      const res = await fetch(url, { credentials: 'omit', cache: 'no-store' });
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
      const parsed = parseJwks(text);
      if (!parsed.ok) throw new Error(`${url}: ${parsed.error}`);
      await store.setJwks(parsed.value.keys, url);
    } catch (e) {
      setError(`Could not fetch the JWKS: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setBusy(false);
    }
  };

  const applySecret = () => {
    setError(null);
    if (secret === '') return setError('Type the JWT secret first.');
    let bytes: Uint8Array;
    if (encoding === 'base64') {
      const parsed = secretFromBase64(secret);
      if (!parsed.ok) return setError(`The secret: ${parsed.error}.`);
      bytes = parsed.value;
    } else bytes = secretFromText(secret);
    setSecret('');
    void store.setSecret(bytes, encoding);
  };

  const forget = () => {
    setError(null);
    void store.forget();
  };

  const known = keys.jwksFrom !== undefined || keys.secretSet;
  return (
    <div class="project-keys" data-testid="project-keys" data-jwks={keys.jwksFrom ? 'yes' : 'no'} data-secret={keys.secretSet ? 'yes' : 'no'}>
      <span class="muted">
        {known
          ? `Signatures checked with: ${[keys.jwksFrom ? `the JWKS ${keys.jwksFrom === 'pasted' ? 'you pasted' : `from ${keys.jwksFrom}`} (${keys.jwksCount} key${keys.jwksCount === 1 ? '' : 's'})` : '', keys.secretSet ? 'the JWT secret you supplied' : ''].filter(Boolean).join(' and ')}${state.remember ? ', remembered until the browser closes' : ''}.`
          : 'No key supplied: signatures are not verified, so verdicts are conditional.'}
      </span>
      {origins.map((o) => (
        <button type="button" data-testid="fetch-jwks" data-origin={o} disabled={busy} key={o} onClick={() => void fetchJwks(o)} title="Fetch the project's public signing keys (asymmetric keys only)">
          Fetch JWKS from {o}
        </button>
      ))}
      <label class="toggle">
        JWT secret
        <input
          type="password"
          autocomplete="off"
          data-testid="secret-input"
          value={secret}
          onInput={(e) => setSecret((e.currentTarget as HTMLInputElement).value)}
          onKeyDown={(e) => e.key === 'Enter' && applySecret()}
        />
      </label>
      <select aria-label="Secret encoding" data-testid="secret-encoding" value={encoding} onChange={(e) => setEncoding((e.currentTarget as HTMLSelectElement).value as 'text' | 'base64')}>
        <option value="text">as text</option>
        <option value="base64">base64</option>
      </select>
      <button type="button" data-testid="secret-apply" onClick={applySecret}>
        Use secret
      </button>
      <label class="toggle" title={state.canRemember ? 'Keep the keys in the browser\'s session storage (shared with the popup) until the browser closes' : 'This browser has no session storage: keys stay in this panel\'s memory'}>
        <input
          type="checkbox"
          data-testid="keys-remember"
          checked={state.remember}
          disabled={!state.canRemember}
          onChange={(e) => void store.setRemember((e.currentTarget as HTMLInputElement).checked)}
        />
        Remember until the browser closes
      </label>
      {known && (
        <button type="button" data-testid="keys-forget" onClick={forget}>
          Forget keys
        </button>
      )}
      {error && (
        <span class="warn" role="alert" data-testid="project-keys-error">
          {error}
        </span>
      )}
    </div>
  );
}
