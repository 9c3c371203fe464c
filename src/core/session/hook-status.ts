// Whether the page hook runs where the content script does. A content script whose MAIN-world hook
// never handed over its port captures nothing of the page (no frames, no Supabase HTTP calls): the
// panel must say so instead of "Capturing" (messages.ts HookState). Pure, DOM-free.

import type { DocumentInfo, HookState } from '../../messages';
import type { CaptureState } from './event-log';

export interface HookReport {
  /** The top document's hook did not start: the banner replaces "Capturing". */
  top?: { url: string };
  /** Iframes whose hook did not start (the top status is left as it is). */
  frames: { docId: string; url: string }[];
}

export function hookReport(state: {
  status: CaptureState;
  hook?: HookState;
  tabUrl?: string;
  documents: readonly DocumentInfo[];
}): HookReport {
  // Only a capturing tab has documents whose hook could be missing; other states say more already.
  if (state.status !== 'capturing') return { frames: [] };
  const frames = state.documents.filter((d) => !d.isTop && d.hook === 'missing').map((d) => ({ docId: d.docId, url: d.url }));
  if (state.hook !== 'missing') return { frames };
  const topDoc = state.documents.find((d) => d.isTop && d.hook === 'missing') ?? state.documents.find((d) => d.isTop);
  return { top: { url: topDoc?.url ?? state.tabUrl ?? '(URL unknown)' }, frames };
}

export function hookMissingText(url: string): string {
  return (
    `Claimscope's page hook did not start on this page: ${url}; nothing from this document is captured ` +
    '(no WebSocket frames, no Supabase HTTP calls; only the HTTP statuses the browser reports). ' +
    "Possible causes: the page's Content-Security-Policy blocked the extension's page script (Firefox), or a script that ran " +
    'before it (another extension) broke it. Reload the page; if it persists, report it with this URL.'
  );
}

export function frameHookMissingText(url: string): string {
  return (
    `Claimscope's page hook did not start in the frame ${url}; nothing from that frame is captured ` +
    '(no WebSocket frames, no Supabase HTTP calls; only the HTTP statuses the browser reports).'
  );
}
