// Fix it (issue 12 item 4): each finding's correction as a diff against the token's header and
// claims, and — for local development only (an issuer on localhost/127.0.0.1/[::1] or
// supabase-demo, never service_role) — a corrected test token minted here with jose from the
// secret or private JWK in the key store, clearly labelled, with a copy button. Text nodes only.

import { useState } from 'preact/hooks';
import { correctedToken, mintCorrected, mintRefusal, signingJwk, type Correction, type FieldChange, type MintKey, type Minted, type PastedToken } from '../../core/session';
import { claimText } from '../../ui/format';
import { useSharedKeys } from '../../ui/shared-keys';
import type { KeyStoreState } from '../../ui/key-store';

/** One finding's correction: the fields to change, and what the change alone does not say. */
export function CorrectionDiff({ correction }: { correction: Correction }) {
  return (
    <div class="correction" data-testid="finding-fix" data-mint-fixes={String(correction.mintFixes)}>
      {correction.changes.length > 0 && <Diff changes={correction.changes} testid="finding-diff" />}
      {correction.note && <p class="muted small">{correction.note}</p>}
    </div>
  );
}

function Diff({ changes, testid }: { changes: FieldChange[]; testid: string }) {
  return (
    <ul class="diff" data-testid={testid} aria-label="Changes against the token">
      {changes.map((c) => (
        <li key={`${c.where}.${c.name}`} data-testid="diff-row" data-where={c.where} data-name={c.name} data-op={c.op}>
          {c.op !== 'add' && (
            <span class="diff-del">
              − {c.where === 'header' ? 'header ' : ''}
              {c.name}: {claimText(c.before)}
            </span>
          )}
          {c.op !== 'remove' && (
            <span class="diff-add">
              + {c.where === 'header' ? 'header ' : ''}
              {c.name}: {claimText(c.after)}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

/** The key to mint with: the secret for an HS token (or when it is all there is), else a private JWK. */
function mintKey(state: KeyStoreState, alg: unknown, kid: unknown): { key: MintKey; words: string } | undefined {
  const secret = state.keys.secret;
  const jwk = state.keys.jwks ? signingJwk(state.keys.jwks.keys, kid) : undefined;
  const hs = typeof alg === 'string' && alg.startsWith('HS');
  if (secret && (hs || !jwk)) return { key: { kind: 'secret', secret: secret.bytes }, words: 'your JWT secret' };
  if (jwk) return { key: { kind: 'jwk', jwk }, words: `your private JWK${typeof jwk.kid === 'string' ? ` “${jwk.kid}”` : ''}` };
  return undefined;
}

export function FixIt({ pasted, at }: { pasted: PastedToken; at: number }) {
  const { state } = useSharedKeys();
  const [minted, setMinted] = useState<(Minted & { words?: string }) | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const { token, view } = pasted;
  if (token.form !== 'jwt' || !token.claims || view.findings.length === 0) return null;
  const preview = correctedToken(token, view.findings, Math.floor(at / 1000));
  const refusal = mintRefusal(token.claims, preview.claims);
  const key = mintKey(state, token.header?.alg, token.header?.kid);

  const mint = async () => {
    if (!key || !token.claims) return;
    setCopied(null);
    // Fresh times at the moment of minting, not at the moment of pasting.
    const corrected = correctedToken(token, view.findings, Math.floor(Date.now() / 1000));
    setMinted({ ...(await mintCorrected(token.claims, corrected, key.key)), words: key.words });
  };

  const copy = async (value: string) => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('Copied.');
    } catch {
      setCopied('Could not copy here: select the token and copy it.');
    }
  };

  return (
    <section class="fix-it" data-testid="fix-it" aria-labelledby="fixit-heading">
      <h3 id="fixit-heading" class="heading">
        Corrected claims
      </h3>
      <p class="muted small">Every fix above, and a fresh iat and exp (one hour):</p>
      <Diff changes={preview.changes} testid="corrected-diff" />
      {refusal ? (
        <p class="muted" data-testid="mint-refused">
          {refusal}
        </p>
      ) : !key ? (
        <p class="muted" data-testid="mint-needs-key">
          To mint a corrected test token for local development, supply the JWT secret or a private JWK above (<code>supabase status</code> prints
          them).
        </p>
      ) : (
        <p>
          <button type="button" data-testid="mint-button" onClick={() => void mint()}>
            Mint a corrected test token
          </button>{' '}
          <span class="muted small">signed here with {key.words}</span>
        </p>
      )}
      {minted && !minted.ok && (
        <p class="line error" role="alert" data-testid="mint-error">
          {minted.error}
        </p>
      )}
      {minted && minted.ok && !refusal && (
        <div class="minted" data-testid="minted-token" data-alg={minted.alg} data-kid={minted.kid ?? ''}>
          <p class="minted-label">
            <strong>TEST TOKEN — local development only.</strong> Minted in this popup with {minted.words} ({minted.alg}
            {minted.kid ? `, kid ${minted.kid}` : ''}), not issued by Supabase Auth: it has no session behind it and nothing refreshes it.
          </p>
          <textarea readOnly rows={3} data-testid="minted-value" aria-label="Corrected test token" value={minted.token} onFocus={(e) => (e.currentTarget as HTMLTextAreaElement).select()} />
          <p>
            <button type="button" data-testid="copy-minted" onClick={() => void copy(minted.token)}>
              Copy
            </button>{' '}
            <span class="muted small" role="status" data-testid="copy-status">
              {copied ?? ''}
            </span>
          </p>
        </div>
      )}
    </section>
  );
}
