// What the user tells Claimscope about the project, so signatures can be checked: the project's
// public JWKS (fetched only when the user clicks), or the JWT secret (typed). Both live in the one
// key store shared with the popup (src/ui/key-store.ts): this page's memory, and storage.session
// only while "remember until the browser closes" is ticked; never stored otherwise, never sent.
// Without them every verdict stays "conditional".

import { useMemo, useState } from 'preact/hooks';
import type { ChannelRecord, ConnectionRecord } from '../../core/realtime';
import { secretFromBase64, secretFromText, type ProjectKnowledge } from '../../core/session';
import { fetchJwks as fetchJwksRule, issuersOf, jwksOrigins, typedJwksSource } from '../../core/session/jwks';
import { RememberKeysToggle } from '../../ui/RememberKeysToggle';
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

/**
 * The origins offered for Fetch JWKS (core/tokens/jwks-fetch.ts): only those the page's Realtime
 * sockets used, https/wss, loopback, or plain http when the page is http; the tokens' issuer first.
 */
function offeredOrigins(connections: readonly ConnectionRecord[], channels: readonly ChannelRecord[], pageUrl: string | undefined) {
  const tokens: unknown[] = [];
  for (const ch of channels) {
    for (const a of ch.attempts) tokens.push(a.accessToken);
    for (const p of ch.tokenPushes) tokens.push(p.value);
  }
  return jwksOrigins(
    connections.map((c) => c.url),
    pageUrl,
    issuersOf(tokens),
  );
}

export function ProjectKeys(props: { connections: readonly ConnectionRecord[]; channels?: readonly ChannelRecord[]; pageUrl?: string; keys: ProjectKeysState }) {
  const { keys } = props;
  const { store, state } = useSharedKeys();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [secret, setSecret] = useState('');
  const [typed, setTyped] = useState('');
  const [encoding, setEncoding] = useState<'text' | 'base64'>('text');
  const origins = useMemo(() => offeredOrigins(props.connections, props.channels ?? [], props.pageUrl), [props.connections, props.channels, props.pageUrl]);

  const fetchJwks = async (url: string) => {
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      // credentials omit, redirect error, no referrer, 10 s, 64 KB, public RSA/EC/OKP keys only.
      const result = await fetchJwksRule(url, { fetch: (u, init) => fetch(u, init) });
      if (!result.ok) return setError(`Could not fetch the JWKS: ${result.error}`);
      await store.setJwks(result.keys, url);
      const dropped = [
        result.symmetricDropped ? `${result.symmetricDropped} symmetric (oct) key${result.symmetricDropped === 1 ? '' : 's'} dropped` : '',
        result.privateStripped ? `private members removed from ${result.privateStripped} key${result.privateStripped === 1 ? '' : 's'}: this endpoint publishes private keys, rotate them` : '',
      ].filter(Boolean);
      if (dropped.length) setNote(`${url}: ${dropped.join('; ')}.`);
    } finally {
      setBusy(false);
    }
  };

  const fetchTyped = () => {
    const source = typedJwksSource(typed, props.pageUrl);
    if (!source.ok) return setError(`The JWKS origin: ${source.error}.`);
    void fetchJwks(source.url);
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
        <button
          type="button"
          data-testid="fetch-jwks"
          data-origin={o.origin}
          data-matches-iss={o.matchesIss ? 'yes' : 'no'}
          disabled={busy}
          key={o.origin}
          onClick={() => void fetchJwks(o.url)}
          title={`Fetch the project's public signing keys from ${o.url} (asymmetric keys only; no cookies, no referrer)${o.matchesIss ? ': the issuer of the tokens in use' : ''}`}
        >
          Fetch JWKS from {o.origin}
        </button>
      ))}
      <input
        type="text"
        class="jwks-origin"
        aria-label="Another JWKS origin"
        placeholder="another origin, e.g. https://<ref>.supabase.co"
        data-testid="jwks-origin-input"
        value={typed}
        onInput={(e) => setTyped((e.currentTarget as HTMLInputElement).value)}
        onKeyDown={(e) => e.key === 'Enter' && fetchTyped()}
      />
      <button type="button" data-testid="jwks-origin-fetch" disabled={busy} onClick={fetchTyped}>
        Fetch
      </button>
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
      <RememberKeysToggle view="panel" />
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
      {note && (
        <span class="warn" data-testid="project-keys-note">
          {note}
        </span>
      )}
    </div>
  );
}
