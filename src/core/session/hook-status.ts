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
  /** Documents where a forgery was detected (DocumentInfo.tampered), top first. */
  tampered: { docId: string; url: string; isTop: boolean; count: number }[];
}

export function hookReport(state: {
  status: CaptureState;
  hook?: HookState;
  tabUrl?: string;
  documents: readonly DocumentInfo[];
}): HookReport {
  // Only a capturing tab has documents whose hook could be missing; other states say more already.
  if (state.status !== 'capturing') return { frames: [], tampered: [] };
  const frames = state.documents.filter((d) => !d.isTop && d.hook === 'missing').map((d) => ({ docId: d.docId, url: d.url }));
  const tampered = state.documents
    .filter((d) => typeof d.tampered === 'number' && d.tampered > 0)
    .map((d) => ({ docId: d.docId, url: d.url, isTop: d.isTop, count: d.tampered! }))
    .sort((a, b) => Number(b.isTop) - Number(a.isTop));
  if (state.hook !== 'missing') return { frames, tampered };
  const topDoc = state.documents.find((d) => d.isTop && d.hook === 'missing') ?? state.documents.find((d) => d.isTop);
  return { top: { url: topDoc?.url ?? state.tabUrl ?? '(URL unknown)' }, frames, tampered };
}

export function hookMissingText(url: string): string {
  return (
    `Claimscope's page hook did not start on this page: ${url}; nothing from this document is captured ` +
    '(no WebSocket frames, no Supabase HTTP calls; only the HTTP statuses the browser reports). ' +
    "Possible causes: the page's Content-Security-Policy blocked the extension's page script (Firefox), or a script that ran " +
    'before it (another extension) broke it. Reload the page; if it persists, report it with this URL.'
  );
}

/**
 * A document where the capture saw a forgery (issue 10 item 5). Only what was detected is claimed:
 * events the page dispatched itself, or a capture hand-over after the hook's grace period.
 */
export function tamperedText(t: { url: string; isTop: boolean; count: number }): string {
  const where = t.isTop ? `This page (${t.url})` : `The frame ${t.url}`;
  return (
    `${where} tried to feed Claimscope events that did not come from the network: ${t.count === 1 ? 'one forgery was' : `${t.count} forgeries were`} detected and refused ` +
    '(WebSocket or page-lifecycle events it dispatched itself, or a capture hand-over after the page hook had started). ' +
    'What is shown for this document was observed by the page hook; treat it with care, since a page that forges may also ' +
    'have done what the hook cannot detect (see "What a hostile page can do" in the README).'
  );
}

export function frameHookMissingText(url: string): string {
  return (
    `Claimscope's page hook did not start in the frame ${url}; nothing from that frame is captured ` +
    '(no WebSocket frames, no Supabase HTTP calls; only the HTTP statuses the browser reports).'
  );
}
