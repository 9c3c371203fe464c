// Which tab the popup summarises. In the toolbar popup: the active tab of the current window
// (`tabs.query` returns its id without the `tabs` permission; the URL too, through the <all_urls>
// host permission). `?tabId=N` overrides it: "Open in a tab" passes the tab the popup was about,
// since once the popup is itself a tab the active tab is the popup; UI tests use it the same way
// (chrome-extension://<id>/src/popup/popup.html?tabId=N). The browser APIs are injected so the
// choice is unit-tested in Node.

export interface TabInfo {
  id?: number;
  url?: string;
}

export interface TabLookup {
  /** `location.search` of the popup page. */
  search: string;
  /** `tabs.query({ active: true, currentWindow: true })`. */
  queryActiveTabs(): Promise<TabInfo[]>;
  /** `tabs.getCurrent()`: the tab this page runs in, undefined in the toolbar popup. */
  currentTab(): Promise<TabInfo | undefined>;
}

export type TargetTab =
  | { kind: 'tab'; tabId: number; source: 'query' | 'override'; url?: string }
  | { kind: 'none'; reason: string };

/** `?tabId=N` (digits only), or undefined. */
export function tabIdOverride(search: string): number | undefined {
  const value = new URLSearchParams(search).get('tabId');
  return value !== null && /^\d{1,10}$/.test(value) ? Number(value) : undefined;
}

export async function findTargetTab(lookup: TabLookup): Promise<TargetTab> {
  const override = tabIdOverride(lookup.search);
  if (override !== undefined) return { kind: 'tab', tabId: override, source: 'override' };
  let active: TabInfo | undefined;
  let own: TabInfo | undefined;
  try {
    [active] = await lookup.queryActiveTabs();
    own = await lookup.currentTab();
  } catch (err) {
    return { kind: 'none', reason: `The browser did not say which tab is active (${err instanceof Error ? err.message : String(err)}).` };
  }
  if (active?.id === undefined || active.id < 0) return { kind: 'none', reason: 'No active tab in this window.' };
  if (own?.id !== undefined && own.id === active.id) {
    return { kind: 'none', reason: 'This page is open in its own tab: open the popup from the toolbar on your app’s tab to see that tab.' };
  }
  return { kind: 'tab', tabId: active.id, source: 'query', url: active.url };
}
