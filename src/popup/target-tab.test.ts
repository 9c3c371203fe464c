import { describe, expect, it } from 'vitest';
import { findTargetTab, tabIdOverride, type TabInfo, type TabLookup } from './target-tab';

function lookup(search: string, active: TabInfo[] | Error, current?: TabInfo): TabLookup {
  return {
    search,
    queryActiveTabs: async () => {
      if (active instanceof Error) throw active;
      return active;
    },
    currentTab: async () => current,
  };
}

describe('the popup’s target tab', () => {
  it('is the active tab of the current window in the toolbar popup', async () => {
    expect(await findTargetTab(lookup('', [{ id: 42, url: 'http://localhost:5173/' }]))).toEqual({
      kind: 'tab',
      tabId: 42,
      source: 'query',
      url: 'http://localhost:5173/',
    });
  });

  it('takes ?tabId=N over the active tab (open in a tab, UI tests)', async () => {
    expect(await findTargetTab(lookup('?tabId=7', [{ id: 42 }], { id: 99 }))).toEqual({ kind: 'tab', tabId: 7, source: 'override' });
  });

  it('never stands in its own tab for the inspected one', async () => {
    const target = await findTargetTab(lookup('', [{ id: 99 }], { id: 99 }));
    expect(target.kind).toBe('none');
  });

  it('says so when there is no active tab or the query fails', async () => {
    expect(await findTargetTab(lookup('', []))).toMatchObject({ kind: 'none', reason: 'No active tab in this window.' });
    expect(await findTargetTab(lookup('', [{ url: 'x' }]))).toMatchObject({ kind: 'none' });
    expect(await findTargetTab(lookup('', new Error('no window')))).toMatchObject({ kind: 'none', reason: expect.stringContaining('no window') });
  });

  it('accepts only a plain number as the override', () => {
    expect(tabIdOverride('?tabId=12')).toBe(12);
    for (const bad of ['', '?tabId=', '?tabId=-1', '?tabId=1e3', '?tabId=abc', '?tabId=1%200']) expect(tabIdOverride(bad)).toBeUndefined();
  });
});
