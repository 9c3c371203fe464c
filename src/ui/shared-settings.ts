// This page's SettingsStore (settings-store.ts) on the real `storage.local`, and the hook that
// re-renders on its changes. One per page; panels in several DevTools windows follow each other
// through `storage.onChanged`.

import { useStore } from './use-store';
import browser from 'webextension-polyfill';
import { SettingsStore, type LocalArea, type SettingsState } from './settings-store';

let store: SettingsStore | undefined;

export function sharedSettingsStore(): SettingsStore {
  if (!store) {
    store = new SettingsStore(browser.storage.local as unknown as LocalArea, browser.storage.onChanged);
    void store.load();
  }
  return store;
}

export function useSettings(): { store: SettingsStore; state: SettingsState } {
  const s = sharedSettingsStore();
  return { store: s, state: useStore(s) };
}
