// The one store of the keys a user supplies to check signatures (and, in the popup, to mint a
// corrected local token): the JWT secret and a JWKS (pasted, or fetched from the project). Shared
// by the panel and the popup. Kept in this page's memory; mirrored to `storage.session` only while
// the user asks to "remember until the browser closes" — the browser clears that area when it
// quits, and no page or content script can read it (Chrome: trusted contexts only). Never
// `storage.local`, never in an export (exports record only *whether* a key was supplied).
// Pages that remember see each other's changes through `storage.onChanged`.
//
// No extension API is imported here (the area is passed in), so the store is unit-tested in Node.

import { base64url, type JWK } from 'jose';
import { publicJwk, type ProjectKnowledge } from '../core/session';
import type { ChangeEvents, ChangeListener, StorageArea } from './storage-area';

export interface SuppliedKeys {
  secret?: { bytes: Uint8Array; encoding: 'text' | 'base64' };
  /** `from`: "pasted", or the URL it was fetched from. May hold private JWKs (for minting). */
  jwks?: { keys: JWK[]; from: string };
}

/** The part of `storage.session` the store uses. */
export type SessionArea = StorageArea;
export type { ChangeEvents, ChangeListener };

export const STORE_KEY = 'claimscope.keys';

export interface KeyStoreState {
  keys: SuppliedKeys;
  remember: boolean;
  /** Whether this browser offers a session area at all. */
  canRemember: boolean;
  /** Changes with every change (part of the analysis cache key). */
  version: number;
}

export class KeyStore {
  private state: KeyStoreState;
  private readonly listeners = new Set<() => void>();
  private loaded: Promise<void> | undefined;

  constructor(
    private readonly area: SessionArea | undefined,
    changes?: ChangeEvents,
  ) {
    this.state = { keys: {}, remember: false, canRemember: area !== undefined, version: 0 };
    changes?.addListener((c, areaName) => {
      if (areaName !== 'session' || !(STORE_KEY in c)) return;
      const next = c[STORE_KEY].newValue;
      if (next === undefined) {
        // Forgotten (or no longer remembered) by another page: keys that only this page holds stay.
        if (this.state.remember) this.update({ keys: {}, remember: false });
        return;
      }
      const keys = decodeStored(next);
      if (keys) this.update({ keys, remember: true });
    });
  }

  get(): KeyStoreState {
    return this.state;
  }

  /** Reads what an earlier page remembered (once; later calls wait for the same read). */
  load(): Promise<void> {
    this.loaded ??= (async () => {
      if (!this.area) return;
      try {
        const got = await this.area.get(STORE_KEY);
        const keys = decodeStored(got[STORE_KEY]);
        if (keys && this.state.version === 0) this.update({ keys, remember: true });
      } catch {
        // An unreadable session area is the same as nothing remembered.
      }
    })();
    return this.loaded;
  }

  async setSecret(bytes: Uint8Array, encoding: 'text' | 'base64'): Promise<void> {
    await this.write({ ...this.state.keys, secret: { bytes, encoding } }, this.state.remember);
  }

  async setJwks(keys: JWK[], from: string): Promise<void> {
    await this.write({ ...this.state.keys, jwks: { keys, from } }, this.state.remember);
  }

  /** Remember (or stop remembering) the current keys until the browser closes. */
  async setRemember(remember: boolean): Promise<void> {
    if (remember && !this.area) return;
    await this.write(this.state.keys, remember);
  }

  /** Forgets every key, here and in the session area (so in every page that remembered them). */
  async forget(): Promise<void> {
    await this.write({}, false);
  }

  /** What the session core is told: the secret, and the JWKS without private members. */
  project(): ProjectKnowledge {
    const { secret, jwks } = this.state.keys;
    return {
      ...(secret ? { secret: secret.bytes } : {}),
      ...(jwks ? { jwks: { keys: jwks.keys.map(publicJwk) } } : {}),
    };
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private async write(keys: SuppliedKeys, remember: boolean): Promise<void> {
    this.update({ keys, remember });
    if (!this.area) return;
    const empty = !keys.secret && !keys.jwks;
    if (remember && !empty) await this.area.set({ [STORE_KEY]: encodeStored(keys) });
    else await this.area.remove(STORE_KEY);
  }

  private update(next: Pick<KeyStoreState, 'keys' | 'remember'>): void {
    this.state = { ...this.state, ...next, version: this.state.version + 1 };
    for (const fn of this.listeners) fn();
  }
}

interface StoredForm {
  v: 1;
  secret?: { b64: string; encoding: 'text' | 'base64' };
  jwks?: { keys: JWK[]; from: string };
}

function encodeStored(keys: SuppliedKeys): StoredForm {
  return {
    v: 1,
    ...(keys.secret ? { secret: { b64: base64url.encode(keys.secret.bytes), encoding: keys.secret.encoding } } : {}),
    ...(keys.jwks ? { jwks: { keys: keys.jwks.keys, from: keys.jwks.from } } : {}),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The stored form back; undefined for anything this version did not write. */
export function decodeStored(value: unknown): SuppliedKeys | undefined {
  if (!isObject(value) || value.v !== 1) return undefined;
  const out: SuppliedKeys = {};
  const s = value.secret;
  if (isObject(s) && typeof s.b64 === 'string' && (s.encoding === 'text' || s.encoding === 'base64')) {
    try {
      out.secret = { bytes: base64url.decode(s.b64), encoding: s.encoding };
    } catch {
      return undefined;
    }
  }
  const j = value.jwks;
  if (isObject(j) && Array.isArray(j.keys) && typeof j.from === 'string' && j.keys.every((k) => isObject(k) && typeof k.kty === 'string')) {
    out.jwks = { keys: j.keys as JWK[], from: j.from };
  }
  return out.secret || out.jwks ? out : undefined;
}
