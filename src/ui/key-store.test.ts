// The shared key store: memory by default; the session area only while "remember" is on; another
// page (a second store on the same area) sees remembered keys and their forgetting. The area is an
// in-memory stand-in with storage.session's get/set/remove and onChanged semantics.

import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseKeyInput } from '../core/tokens/key-input';
import { decodeStored, KeyStore, STORE_KEY, type ChangeListener, type SessionArea } from './key-store';

class FakeSessionArea implements SessionArea {
  readonly data = new Map<string, unknown>();
  private readonly listeners: ChangeListener[] = [];
  readonly events = { addListener: (fn: ChangeListener) => this.listeners.push(fn) };
  async get(key: string) {
    return this.data.has(key) ? { [key]: structuredClone(this.data.get(key)) } : {};
  }
  async set(items: Record<string, unknown>) {
    for (const [k, v] of Object.entries(items)) {
      const oldValue = this.data.get(k);
      this.data.set(k, structuredClone(v));
      this.listeners.forEach((fn) => fn({ [k]: { oldValue, newValue: structuredClone(v) } }, 'session'));
    }
  }
  async remove(key: string) {
    if (!this.data.has(key)) return;
    const oldValue = this.data.get(key);
    this.data.delete(key);
    this.listeners.forEach((fn) => fn({ [key]: { oldValue } }, 'session'));
  }
}

const secret = new TextEncoder().encode('super-secret-jwt-token-with-at-least-32-characters-long');

describe('KeyStore', () => {
  it('keeps a secret in memory only unless asked to remember it', async () => {
    const area = new FakeSessionArea();
    const popup = new KeyStore(area, area.events);
    await popup.setSecret(secret, 'text');
    expect(popup.project().secret).toEqual(secret);
    expect(area.data.size).toBe(0);
    const panel = new KeyStore(area, area.events);
    await panel.load();
    expect(panel.project()).toEqual({});
  });

  it('remembered keys reach another page (loaded later, or already open), and forgetting clears both', async () => {
    const area = new FakeSessionArea();
    const popup = new KeyStore(area, area.events);
    const openPanel = new KeyStore(area, area.events);
    await popup.setRemember(true);
    await popup.setSecret(secret, 'base64');
    expect(decodeStored(area.data.get(STORE_KEY))?.secret?.bytes).toEqual(secret);
    expect(openPanel.project().secret).toEqual(secret);
    expect(openPanel.get().remember).toBe(true);

    const laterPanel = new KeyStore(area, area.events);
    await laterPanel.load();
    expect(laterPanel.project().secret).toEqual(secret);
    expect(laterPanel.get().keys.secret?.encoding).toBe('base64');

    await laterPanel.forget();
    expect(area.data.size).toBe(0);
    expect(popup.project()).toEqual({});
    expect(openPanel.project()).toEqual({});
  });

  it('no longer remembering removes the keys from the session area but keeps them in this page', async () => {
    const area = new FakeSessionArea();
    const store = new KeyStore(area, area.events);
    await store.setRemember(true);
    await store.setSecret(secret, 'text');
    await store.setRemember(false);
    expect(area.data.size).toBe(0);
    expect(store.project().secret).toEqual(secret);
  });

  it('a page that only holds keys in memory keeps them when another page forgets its remembered ones', async () => {
    const area = new FakeSessionArea();
    const a = new KeyStore(area, area.events);
    const b = new KeyStore(area, area.events);
    await b.setSecret(new TextEncoder().encode('bs-own'), 'text');
    await a.setRemember(true);
    await a.setSecret(secret, 'text');
    // b received a's remembered keys (they replace its own: one store).
    expect(b.project().secret).toEqual(secret);
    await a.forget();
    expect(b.project()).toEqual({});
  });

  it('without a session area: memory only, and remembering is not offered', async () => {
    const store = new KeyStore(undefined);
    expect(store.get().canRemember).toBe(false);
    await store.setRemember(true);
    await store.setSecret(secret, 'text');
    expect(store.get().remember).toBe(false);
    expect(store.project().secret).toEqual(secret);
  });

  it('verification gets the public half of a pasted private JWK; the store keeps the private one for minting', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const priv = { ...(await exportJWK(pair.privateKey)), kid: 'k1' };
    const store = new KeyStore(undefined);
    await store.setJwks([priv], 'pasted');
    expect(store.project().jwks?.keys[0]).not.toHaveProperty('d');
    expect(store.project().jwks?.keys[0]).toMatchObject({ kid: 'k1', kty: 'EC', x: priv.x });
    expect(store.get().keys.jwks?.keys[0].d).toBe(priv.d);
  });

  it('ignores a session value it did not write', async () => {
    const area = new FakeSessionArea();
    area.data.set(STORE_KEY, { v: 2, secret: 'x' });
    const store = new KeyStore(area, area.events);
    await store.load();
    expect(store.project()).toEqual({});
  });
});

describe('parseKeyInput', () => {
  it('a secret as text or base64; JSON as a JWKS; one sentence for anything else', () => {
    expect(parseKeyInput('abc', 'text')).toEqual({ ok: true, kind: 'secret', bytes: new TextEncoder().encode('abc'), encoding: 'text' });
    expect(parseKeyInput('YWJj', 'base64')).toEqual({ ok: true, kind: 'secret', bytes: new TextEncoder().encode('abc'), encoding: 'base64' });
    expect(parseKeyInput('{"keys":[{"kty":"EC","kid":"a"}]}', 'text')).toMatchObject({ ok: true, kind: 'jwks', keys: [{ kid: 'a' }] });
    expect(parseKeyInput('[{"kty":"oct","k":"YWJj"}]', 'text')).toMatchObject({ ok: true, kind: 'jwks' });
    expect(parseKeyInput('   ', 'text')).toEqual({ ok: false, error: expect.stringMatching(/^Paste/) });
    expect(parseKeyInput('{"keys":[{"x":1}]}', 'text')).toEqual({ ok: false, error: 'That looks like JSON, but key #1 of the JWKS has no "kty".' });
    expect(parseKeyInput('{nope', 'text')).toEqual({ ok: false, error: 'That looks like JSON, but the JWKS is not JSON.' });
    expect(parseKeyInput('a$b', 'base64')).toMatchObject({ ok: false, error: expect.stringMatching(/^The secret: the secret is not base64/) });
    expect(parseKeyInput('{"keys":[]}', 'text')).toEqual({ ok: false, error: 'The JWKS has no keys.' });
  });
});
