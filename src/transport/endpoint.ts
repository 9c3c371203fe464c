// One endpoint abstraction over the message map (src/messages.ts): it wraps a runtime port (or any
// PortLike) with a typed `send` and a typed `on(type, handler)`, validates every incoming message
// by its type (src/transport/schemas.ts) and checks the protocol version there, in one place.
// A message that fails is counted in `rejected` and reported to `onInvalid` handlers; it never
// reaches a message handler and never throws.
//
//   const port = contentEndpoint(browser.runtime.connect({ name: PORT_CONTENT }));
//   port.on('snapshot-request', (m) => port.send({ type: 'snapshot', requestId: m.requestId, snapshot }));
//   port.onInvalid((r) => console.warn(r.reason));
//   port.onDisconnect(() => ...);
//
// Pure: no browser APIs, so it is unit-tested in Node on in-memory ports (src/transport/testing.ts).

import type { BackgroundToContent, BackgroundToPanel, ContentToBackground, PanelToBackground } from '../messages';
import { BACKGROUND_TO_CONTENT, BACKGROUND_TO_PANEL, CONTENT_TO_BACKGROUND, PANEL_TO_BACKGROUND } from './schemas';
import { validateMessage, type MessageOf, type MessageSchema, type Tagged } from './validate';

/** The part of `runtime.Port` an endpoint uses (webextension-polyfill and chrome.* both fit). */
export interface PortLike {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

/** A message an endpoint refused. */
export interface Rejection {
  reason: string;
  /** The message as received (unvalidated: for counting and diagnostics, never to act on). */
  message: unknown;
  /** Set when the only fault found is the protocol version: the peer speaks `peerVersion`. */
  peerVersion?: number;
}

export interface Endpoint<Out extends Tagged, In extends Tagged> {
  /** Posts a message; false when the port is gone (a post that throws closes the endpoint). */
  send(message: Out): boolean;
  /** Handles valid incoming messages of one type. */
  on<K extends In['type']>(type: K, handler: (message: MessageOf<In, K>) => void): void;
  /** Handles every valid incoming message (after the per-type handlers). */
  onAny(handler: (message: In) => void): void;
  /** Called once per rejected message, after it was counted. */
  onInvalid(handler: (rejection: Rejection) => void): void;
  /** Called once when the port is gone: the other side disconnected, or a post threw. */
  onDisconnect(handler: () => void): void;
  /** Closes the port from this side (no onDisconnect handler runs for it). */
  disconnect(): void;
  /** Incoming messages rejected so far. */
  readonly rejected: number;
  /** False once the port is gone or disconnected. */
  readonly open: boolean;
}

export function createEndpoint<Out extends Tagged, In extends Tagged>(port: PortLike, incoming: MessageSchema<In>): Endpoint<Out, In> {
  return new PortEndpoint<Out, In>(port, incoming);
}

/** A content script's end of its PORT_CONTENT port. */
export type ContentEndpoint = Endpoint<ContentToBackground, BackgroundToContent>;
export const contentEndpoint = (port: PortLike): ContentEndpoint => createEndpoint(port, BACKGROUND_TO_CONTENT);

/** The service worker's end of a content script's PORT_CONTENT port. */
export type BackgroundContentEndpoint = Endpoint<BackgroundToContent, ContentToBackground>;
export const backgroundContentEndpoint = (port: PortLike): BackgroundContentEndpoint => createEndpoint(port, CONTENT_TO_BACKGROUND);

/** The service worker's end of a panel's (or the popup's) PORT_PANEL port. */
export type BackgroundPanelEndpoint = Endpoint<BackgroundToPanel, PanelToBackground>;
export const backgroundPanelEndpoint = (port: PortLike): BackgroundPanelEndpoint => createEndpoint(port, PANEL_TO_BACKGROUND);

/** A panel's or the popup's end of its PORT_PANEL port. */
export type PanelEndpoint = Endpoint<PanelToBackground, BackgroundToPanel>;
export const panelEndpoint = (port: PortLike): PanelEndpoint => createEndpoint(port, BACKGROUND_TO_PANEL);

class PortEndpoint<Out extends Tagged, In extends Tagged> implements Endpoint<Out, In> {
  rejected = 0;
  open = true;
  private readonly handlers = new Map<string, Array<(message: In) => void>>();
  private readonly anyHandlers: Array<(message: In) => void> = [];
  private readonly invalidHandlers: Array<(rejection: Rejection) => void> = [];
  private readonly disconnectHandlers: Array<() => void> = [];

  constructor(
    private readonly port: PortLike,
    private readonly incoming: MessageSchema<In>,
  ) {
    port.onMessage.addListener((message) => this.receive(message));
    port.onDisconnect.addListener(() => this.gone());
  }

  send(message: Out): boolean {
    if (!this.open) return false;
    try {
      this.port.postMessage(message);
      return true;
    } catch {
      // "Attempting to use a disconnected port object": the other side is gone, whether or not its
      // onDisconnect reached us (it does not always, e.g. for an invalidated extension context).
      // Or the port is alive and refused this one message ("Message length exceeded maximum
      // allowed length"): it is closed from this side too, so the peer forgets it and both ends
      // start afresh (the content store reconnects and the panel gets a new snapshot).
      try {
        this.port.disconnect();
      } catch {
        /* already gone */
      }
      this.gone();
      return false;
    }
  }

  on<K extends In['type']>(type: K, handler: (message: MessageOf<In, K>) => void): void {
    let list = this.handlers.get(type);
    if (!list) this.handlers.set(type, (list = []));
    list.push(handler as (message: In) => void);
  }

  onAny(handler: (message: In) => void): void {
    this.anyHandlers.push(handler);
  }

  onInvalid(handler: (rejection: Rejection) => void): void {
    this.invalidHandlers.push(handler);
  }

  onDisconnect(handler: () => void): void {
    this.disconnectHandlers.push(handler);
  }

  disconnect(): void {
    if (!this.open) return;
    this.open = false;
    this.port.disconnect();
  }

  private receive(raw: unknown): void {
    if (!this.open) return;
    const result = validateMessage(this.incoming, raw);
    if (!result.ok) {
      this.rejected++;
      const rejection: Rejection = { reason: result.reason, message: raw, ...(result.peerVersion !== undefined ? { peerVersion: result.peerVersion } : {}) };
      for (const handler of this.invalidHandlers) handler(rejection);
      return;
    }
    const message = result.message;
    for (const handler of this.handlers.get(message.type) ?? []) handler(message);
    for (const handler of this.anyHandlers) handler(message);
  }

  private gone(): void {
    if (!this.open) return;
    this.open = false;
    for (const handler of this.disconnectHandlers) handler();
  }
}
