// This page's KeyStore (key-store.ts) on the real `storage.session`, and the hook that re-renders
// on its changes. One per page: the panel and the popup each hold one, sharing what the user asked
// to remember through the session area.

import { useStore } from './use-store';
import browser from 'webextension-polyfill';
import { KeyStore, type KeyStoreState, type SessionArea } from './key-store';

let store: KeyStore | undefined;

export function sharedKeyStore(): KeyStore {
  if (!store) {
    // storage.session: Chrome 102+, Firefox 115+; without it "remember" is offered disabled.
    const area = (browser.storage as unknown as { session?: SessionArea }).session;
    store = new KeyStore(area, browser.storage.onChanged);
    void store.load();
  }
  return store;
}

export function useSharedKeys(): { store: KeyStore; state: KeyStoreState } {
  const s = sharedKeyStore();
  return { store: s, state: useStore(s) };
}
