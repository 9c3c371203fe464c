import { describe, expect, it } from 'vitest';
import type { HookState } from '../messages';
import { HookWatch } from './hook-watch';

function watch() {
  const changes: HookState[] = [];
  return { w: new HookWatch((s) => changes.push(s)), changes };
}

describe('HookWatch', () => {
  it('is connected as soon as the hook hands over, whatever comes after', () => {
    const { w, changes } = watch();
    expect(w.state).toBeUndefined();
    w.handedOver();
    w.documentParsed();
    w.graceElapsed();
    w.handedOver();
    expect(changes).toEqual(['connected']);
  });

  it('says missing only once the page is parsed and the grace time is over, in either order', () => {
    for (const order of [
      ['documentParsed', 'graceElapsed'],
      ['graceElapsed', 'documentParsed'],
    ] as const) {
      const { w, changes } = watch();
      w[order[0]]();
      expect(changes).toEqual([]); // one condition alone decides nothing
      w[order[1]]();
      expect(changes).toEqual(['missing']);
      expect(w.state).toBe('missing');
    }
  });

  it('turns missing into connected when the hand-over comes late, and never back', () => {
    const { w, changes } = watch();
    w.documentParsed();
    w.graceElapsed();
    w.handedOver();
    w.graceElapsed();
    w.documentParsed();
    expect(changes).toEqual(['missing', 'connected']);
    expect(w.state).toBe('connected');
  });
});
