// Re-renders a component whenever the panel controller publishes (at most once per animation
// frame, see controller.ts), and once right after subscribing: messages that arrived between the
// first render and the subscription (a quiet tab sends no more) must be shown too. Used by the
// panel and the popup's tab summary. Returns the re-render function for other sources to call.

import { useCallback, useEffect, useState } from 'preact/hooks';
import type { PanelController } from './controller';

export function useControllerUpdates(controller: PanelController): () => void {
  const [, setTick] = useState(0);
  const rerender = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    const unsubscribe = controller.subscribe(rerender);
    rerender();
    return unsubscribe;
  }, [controller]);
  return rerender;
}
