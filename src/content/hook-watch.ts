// Did the MAIN-world hook of this document start? The content script is the only context that
// knows: the hook proves it is alive by handing over its private port. Without a hand-over the
// document is not captured at all (the hook was blocked, e.g. by a page CSP in Firefox, or threw
// while installing), and the panel must say so instead of "Capturing".
//
// Pure decision logic; the content script feeds it the hand-over, the end of parsing and a timer.

import type { HookState } from '../messages';

/**
 * How long after document_start the hand-over may take. It is posted at document_start, before
 * any page script, so it normally arrives within a task or two; DOMContentLoaded can come first
 * on a small page (the parser may finish in the task that ran the content scripts).
 */
export const HOOK_GRACE_MS = 1_000;

export class HookWatch {
  private current: HookState | undefined;
  private parsed = false;
  private graceOver = false;

  /** `onChange` is called once per change: undecided -> connected | missing, missing -> connected. */
  constructor(private readonly onChange: (state: HookState) => void) {}

  /** Undefined until decided. */
  get state(): HookState | undefined {
    return this.current;
  }

  /**
   * The hook handed over its port. The store refuses a hand-over once the state is 'missing' (only
   * a page's own can come that late: issue 10 item 5), so 'missing' -> 'connected' is kept here only
   * for a caller that decides otherwise.
   */
  handedOver(): void {
    this.set('connected');
  }

  /** DOMContentLoaded fired (or the document was already parsed when the content script ran). */
  documentParsed(): void {
    this.parsed = true;
    this.decide();
  }

  /** HOOK_GRACE_MS passed since document_start. */
  graceElapsed(): void {
    this.graceOver = true;
    this.decide();
  }

  private decide(): void {
    // Missing only when both hold: the page is parsed and the hand-over had its grace time.
    if (this.current === undefined && this.parsed && this.graceOver) this.set('missing');
  }

  private set(state: HookState): void {
    if (this.current === state || this.current === 'connected') return;
    this.current = state;
    this.onChange(state);
  }
}
