// The hook the panel and the popup use to re-render on a store's changes (the key store, the
// settings store): the state as it is now, and again on every change.

import { useEffect, useState } from 'preact/hooks';

export interface Observable<T> {
  get(): T;
  /** Calls `listener` on every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

export function useStore<T>(store: Observable<T>): T {
  const [state, setState] = useState(store.get());
  useEffect(() => {
    setState(store.get());
    return store.subscribe(() => setState(store.get()));
  }, [store]);
  return state;
}
