// Glue between the background link and the UI: messages go into the session (src/core/session), the UI is told to
// re-render at most once per animation frame (a flood of deltas must not re-render per message).

import { STORE_LIMITS, type PanelToBackground } from '../messages';
import { DevtoolsSocketMerger, Session } from '../core/session';
import { DevtoolsNetworkReader, type DevtoolsNetworkLike } from './devtools-network';
import { openPanelLink, type LinkState, type PortLike } from './link';

export class PanelController {
  readonly session: Session;
  linkState: LinkState = { kind: 'reconnecting', attempt: 0 };
  /** Present when the panel runs inside DevTools: adds the sockets only DevTools sees (workers). */
  devtoolsNetwork?: DevtoolsNetworkReader;
  private readonly listeners = new Set<() => void>();
  private scheduled = false;
  private readonly link;

  /** The capture limits this panel's session holds to (the settings, read when the panel opened). */
  readonly captureLimits: { maxEvents: number; maxMegabytes: number };

  constructor(tabId: number, connect: (name: string) => PortLike, limits?: { maxEvents: number; maxMegabytes: number }) {
    this.captureLimits = limits ?? { maxEvents: STORE_LIMITS.panelMaxEvents, maxMegabytes: STORE_LIMITS.panelMaxBytes / (1024 * 1024) };
    this.session = new Session({ tabId, maxEvents: this.captureLimits.maxEvents, maxBytes: this.captureLimits.maxMegabytes * 1024 * 1024 });
    // Analysis results arrive asynchronously: re-render when the session publishes anything.
    this.session.subscribe(() => this.notify());
    this.link = openPanelLink({
      tabId,
      connect,
      onMessage: (message) => {
        this.session.apply(message);
        this.notify();
      },
      // The link delivers only validated messages; a refused one is counted by the session and
      // shown as a problem the user can act on (another protocol version: reopen DevTools).
      onInvalid: (reason, _message, peerVersion) => this.session.refuse(reason, peerVersion),
      onState: (state) => {
        this.linkState = state;
        this.notify();
      },
    });
  }

  /** Starts reading DevTools' network log (inside DevTools only). */
  attachDevtoolsNetwork(network: DevtoolsNetworkLike): void {
    if (this.devtoolsNetwork) return;
    const merger = new DevtoolsSocketMerger({ tabId: this.session.log.tabId });
    this.devtoolsNetwork = new DevtoolsNetworkReader({ network, merger, session: this.session, onChange: () => this.notify() });
    this.devtoolsNetwork.start();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Clears the panel's copy and asks the background to clear the tab's stores. */
  clear(): void {
    this.session.clear();
    this.send({ type: 'clear', tabId: this.session.log.tabId });
    this.notify();
  }

  reloadAndCapture(): void {
    this.send({ type: 'reload-and-capture', tabId: this.session.log.tabId });
  }

  send(message: PanelToBackground): boolean {
    return this.link.send(message);
  }

  private notify(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      if (!this.scheduled) return;
      this.scheduled = false;
      if (timer !== undefined) clearTimeout(timer);
      for (const listener of this.listeners) listener();
    };
    // Normally the next animation frame; a hidden or occluded panel gets no animation frames,
    // so a timer makes sure its state keeps moving anyway.
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
    timer = setTimeout(run, 150);
  }
}
