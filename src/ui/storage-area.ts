// The part of `browser.storage` the panel's and popup's stores use (one storage area and its change
// events), so the stores can run on fakes in Node.

/** `storage.session` or `storage.local`: what the stores call. */
export interface StorageArea {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(key: string): Promise<void>;
}

export type ChangeListener = (changes: Record<string, { newValue?: unknown; oldValue?: unknown }>, areaName: string) => void;
export interface ChangeEvents {
  addListener(fn: ChangeListener): void;
}
