// The panel's connection to the background router (port PORT_PANEL), kept alive across restarts
// of the MV3 service worker: the browser stops an idle worker at any moment, which drops the port.
// We reconnect, subscribe again, and PanelState merges the fresh snapshot without duplicates.
//
// The runtime is injected (`connect`) so the reconnect logic is tested without a browser.

import { PORT_PANEL, PROTOCOL_VERSION, type PanelToBackground } from '../messages';

/** The part of `runtime.Port` this module uses (webextension-polyfill and chrome.* both fit). */
export interface PortLike {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

export type LinkState =
  | { kind: 'connected' }
  | { kind: 'reconnecting'; attempt: number }
  /** The extension context is gone (extension reloaded/updated): only reopening DevTools helps. */
  | { kind: 'broken'; message: string };

export interface PanelLinkOptions {
  tabId: number;
  connect: (name: string) => PortLike;
  onMessage: (message: unknown) => void;
  onState: (state: LinkState) => void;
  /** Delays between reconnect attempts (ms); the last one repeats. */
  backoff?: readonly number[];
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface PanelLink {
  send(message: PanelToBackground): boolean;
  close(): void;
}

export function openPanelLink(options: PanelLinkOptions): PanelLink {
  const backoff = options.backoff ?? [50, 200, 500, 1000, 2000];
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  let port: PortLike | undefined;
  let attempt = 0;
  let closed = false;
  let timer: unknown;

  const scheduleReconnect = () => {
    if (closed) return;
    const delay = backoff[Math.min(attempt, backoff.length - 1)];
    attempt++;
    options.onState({ kind: 'reconnecting', attempt });
    timer = setTimer(connect, delay);
  };

  function connect(): void {
    timer = undefined;
    if (closed) return;
    let next: PortLike;
    try {
      next = options.connect(PORT_PANEL);
    } catch (error) {
      // "Extension context invalidated": this page belongs to an extension version that is gone.
      options.onState({
        kind: 'broken',
        message: `Claimscope cannot reach its background (${errorText(error)}). The extension was probably reloaded or updated: close DevTools and open it again.`,
      });
      return;
    }
    port = next;
    next.onMessage.addListener((message) => {
      if (port !== next) return;
      if (attempt !== 0) {
        attempt = 0;
        options.onState({ kind: 'connected' });
      }
      options.onMessage(message);
    });
    next.onDisconnect.addListener(() => {
      if (port !== next) return;
      port = undefined;
      scheduleReconnect();
    });
    try {
      next.postMessage({ type: 'subscribe', v: PROTOCOL_VERSION, tabId: options.tabId } satisfies PanelToBackground);
    } catch {
      // The port died between connect and post: its onDisconnect schedules the retry.
      return;
    }
    if (attempt === 0) options.onState({ kind: 'connected' });
  }

  connect();

  return {
    send(message) {
      if (!port) return false;
      try {
        port.postMessage(message);
        return true;
      } catch {
        return false;
      }
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimer(timer);
      port?.disconnect();
      port = undefined;
    },
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
