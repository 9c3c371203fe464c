import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type DocumentInfo } from '../../messages';
import { frameHookMissingText, hookMissingText, hookReport, tamperedText } from './hook-status';
import { EventLog } from './event-log';

const TOP = 'https://app.example/page';
const FRAME = 'https://widget.example/frame';

function doc(docId: string, url: string, isTop: boolean, hook?: DocumentInfo['hook']): DocumentInfo {
  return { docId, url, isTop, startedAt: 1_000, ...(hook ? { hook } : {}) };
}

function status(extra: Record<string, unknown>) {
  return { type: 'status', v: PROTOCOL_VERSION, tabId: 7, status: 'capturing', url: TOP, ...extra };
}

describe('page hook status from the background', () => {
  it('reports the top document whose hook did not start instead of "Capturing"', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply(status({ hook: 'missing', documents: [doc('t', TOP, true, 'missing')] }));
    expect(state.hook).toBe('missing');
    expect(hookReport(state)).toEqual({ top: { url: TOP }, frames: [], tampered: [] });
  });

  it('keeps today’s behaviour while the hook state is absent (undecided) or connected', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply(status({ documents: [doc('t', TOP, true)] }));
    expect(hookReport(state)).toEqual({ frames: [], tampered: [] });
    state.apply(status({ hook: 'connected', documents: [doc('t', TOP, true, 'connected')] }));
    expect(hookReport(state)).toEqual({ frames: [], tampered: [] });
  });

  it('a later status without the hook (a new document, undecided) clears an earlier "missing"', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply(status({ hook: 'missing', documents: [doc('t', TOP, true, 'missing')] }));
    state.apply(status({ url: `${TOP}?next`, documents: [doc('u', `${TOP}?next`, true)] }));
    expect(state.hook).toBeUndefined();
    expect(hookReport(state).top).toBeUndefined();
  });

  it('names each iframe whose hook did not start, without changing the top status', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply(
      status({
        hook: 'connected',
        documents: [doc('t', TOP, true, 'connected'), doc('f1', FRAME, false, 'missing'), doc('f2', `${FRAME}2`, false, 'connected'), doc('f3', `${FRAME}3`, false)],
      }),
    );
    expect(hookReport(state)).toEqual({ frames: [{ docId: 'f1', url: FRAME }], tampered: [] });
  });

  it('reports both the top and its frames when neither hook started', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply(status({ hook: 'missing', documents: [doc('t', TOP, true, 'missing'), doc('f1', FRAME, false, 'missing')] }));
    expect(hookReport(state)).toEqual({ top: { url: TOP }, frames: [{ docId: 'f1', url: FRAME }], tampered: [] });
  });

  it('falls back to the tab URL when no top document is listed', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply(status({ hook: 'missing' }));
    expect(hookReport(state).top).toEqual({ url: TOP });
  });

  it('says nothing about hooks on a tab that is not capturing', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply(status({ status: 'not-capturing', hook: 'missing', documents: [doc('t', TOP, true, 'missing')] }));
    expect(hookReport(state)).toEqual({ frames: [], tampered: [] });
  });

  it('rejects a malformed hook state or document list with a clear problem, keeping the valid documents', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply(status({ hook: 'maybe' }));
    expect(state.hook).toBeUndefined();
    expect(state.problem).toMatch(/unknown hook state "maybe"/);

    const other = new EventLog({ tabId: 7 });
    other.apply(status({ documents: [doc('f1', FRAME, false, 'missing'), { docId: 3 }, null] }));
    expect(other.problem).toMatch(/document without an id, URL or top\/frame flag/);
    expect(other.documents.map((d) => d.docId)).toEqual(['f1']);
    expect(hookReport(other).frames).toEqual([{ docId: 'f1', url: FRAME }]);
  });

  it('words: the URL, what is not captured, the possible causes and what to do', () => {
    const text = hookMissingText(TOP);
    expect(text).toContain(`did not start on this page: ${TOP}; nothing from this document is captured`);
    expect(text).toContain('no WebSocket frames, no Supabase HTTP calls');
    expect(text).toContain('Content-Security-Policy');
    expect(text).toContain('Reload the page; if it persists, report it with this URL.');
    expect(frameHookMissingText(FRAME)).toContain(`did not start in the frame ${FRAME}`);
  });
});

describe('a document whose capture was tampered with', () => {
  it('is reported only for the documents that said so, top first, with the count', () => {
    const state = new EventLog({ tabId: 7 });
    state.apply(status({ documents: [doc('f1', FRAME, false, 'connected'), { ...doc('f2', FRAME, false, 'connected'), tampered: 3 }, { ...doc('t', TOP, true, 'connected'), tampered: 1 }] }));
    expect(state.problem).toBeUndefined();
    expect(hookReport(state).tampered).toEqual([
      { docId: 't', url: TOP, isTop: true, count: 1 },
      { docId: 'f2', url: FRAME, isTop: false, count: 3 },
    ]);
    expect(tamperedText(hookReport(state).tampered[0])).toMatch(/^This page \(https:\/\/app\.example\/page\) tried to feed Claimscope events .*one forgery was detected/);
    expect(tamperedText(hookReport(state).tampered[1])).toMatch(/^The frame https:\/\/widget\.example\/frame .*3 forgeries were detected/);
  });
});
