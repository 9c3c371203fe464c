// The "Remember until the browser closes" box of the shared key store (key-store.ts), the same in
// the panel's Project keys and the popup's Verify box: ticking it is what lets the other view see the
// keys (storage.session, never storage.local). Disabled where the browser has no storage.session.

import { useSharedKeys } from './shared-keys';

export function RememberKeysToggle(props: { view: 'panel' | 'popup' }) {
  const { store, state } = useSharedKeys();
  const other = props.view === 'panel' ? 'popup' : 'panel';
  return (
    <label
      class="toggle"
      title={
        state.canRemember
          ? `Keep the keys in the browser’s session storage, shared with the ${other}, until the browser closes`
          : `This browser has no session storage: the keys stay in this ${props.view}’s memory`
      }
    >
      <input
        type="checkbox"
        data-testid="keys-remember"
        checked={state.remember}
        disabled={!state.canRemember}
        onChange={(e) => void store.setRemember((e.currentTarget as HTMLInputElement).checked)}
      />{' '}
      Remember until the browser closes
    </label>
  );
}
