// The panel follows DevTools' theme (issue 11 item 7). Inside Chromium's DevTools,
// `chrome.devtools.panels.themeName` is 'dark' or 'default' (light) whatever the system says, and
// `setThemeChangeHandler` reports a change while the panel is open; Firefox says 'dark' or 'light'
// and fires `onThemeChanged`. The chosen theme is set as `data-theme` on <html>, which
// src/ui/theme.css reads before its prefers-color-scheme rule. Outside DevTools (the panel as a
// tab, the popup) nothing is set and the system's preference applies.

export type PanelTheme = 'dark' | 'light';

interface DevtoolsPanelsApi {
  themeName?: unknown;
  setThemeChangeHandler?: (handler: (name: unknown) => void) => void;
  onThemeChanged?: { addListener?: (handler: (name: unknown) => void) => void };
}

/** DevTools' theme name as Claimscope's: unknown names leave the system preference in charge. */
export function themeOf(name: unknown): PanelTheme | undefined {
  if (name === 'dark') return 'dark';
  if (name === 'default' || name === 'light') return 'light';
  return undefined;
}

export function followDevtoolsTheme(root: HTMLElement = document.documentElement): PanelTheme | undefined {
  const panels = (globalThis as { chrome?: { devtools?: { panels?: DevtoolsPanelsApi } } }).chrome?.devtools?.panels;
  const apply = (name: unknown) => {
    const theme = themeOf(name);
    if (theme) root.dataset.theme = theme;
    else delete root.dataset.theme;
  };
  if (!panels) return undefined;
  apply(panels.themeName);
  try {
    if (typeof panels.setThemeChangeHandler === 'function') panels.setThemeChangeHandler(apply);
    else panels.onThemeChanged?.addListener?.(apply);
  } catch (err) {
    // An older browser without the change event: the theme at load still applies.
    console.warn('Claimscope: DevTools theme changes are not followed:', err);
  }
  return themeOf(panels.themeName);
}
