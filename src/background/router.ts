// The service worker's router (ARCHITECTURE.md "The service worker holds no captured data").
// Content ports register per tab and document; panel ports subscribe to a tab. Captured events
// flow content -> panels only while a panel listens; snapshots are relayed on request. The router
// is rebuilt from scratch whenever the service worker restarts: content scripts hello again when
// pinged or when they have something to say, and panels resubscribe.
//
// Browser APIs are injected (RouterHost), so the routing rules are testable with in-memory ports.
// Each port is wrapped in a transport endpoint (src/transport/endpoint.ts): what reaches the
// handlers below is validated by type, of this protocol version; anything else is counted in
// `rejected` and never acted upon.

import type { NetworkObservation } from '../core/model';
import { PROTOCOL_VERSION, type BackgroundToContent, type BackgroundToPanel, type CaptureStatus, type DocumentInfo } from '../messages';
import {
  backgroundContentEndpoint,
  backgroundPanelEndpoint,
  type BackgroundContentEndpoint,
  type BackgroundPanelEndpoint,
  type PortLike,
  type Rejection,
} from '../transport/endpoint';

export interface RouterHost {
  /** Asks every frame of the tab whether a content script runs there; resolves true if one answered. */
  pingTab(tabId: number): Promise<boolean>;
  /** The tab's URL if the extension may know it (undefined for chrome:// pages and closed tabs). */
  tabUrl(tabId: number): Promise<string | undefined>;
  reloadTab(tabId: number): Promise<void>;
  /** The tab's badge: server auth errors and critical exposures (sb_secret_ / service_role keys) of its current page. */
  setBadge(tabId: number, serverErrors: number, exposures: number): void;
  now(): number;
  /** A message from a content script or a panel was refused (malformed, or another protocol version). */
  invalidMessage?(from: 'content' | 'panel', rejection: Rejection): void;
}

interface ContentRecord {
  port: BackgroundContentEndpoint;
  tabId: number;
  frameId: number;
  doc?: DocumentInfo;
  serverErrors: number;
}

interface PendingNetwork {
  frameId: number;
  body: NetworkObservation;
  time: number;
}

/** Network observations waiting for a content store to connect, per tab. */
const MAX_PENDING_NETWORK = 200;
const PENDING_NETWORK_MAX_AGE_MS = 60_000;

/** Pages no extension may script (Chromium and Firefox refuse content scripts there). */
const RESTRICTED_URL = /^(chrome|edge|brave|about|moz-extension|chrome-extension|devtools|view-source|resource|chrome-search):|^https:\/\/(chromewebstore\.google\.com|chrome\.google\.com\/webstore|addons\.mozilla\.org|microsoftedge\.microsoft\.com\/addons)/;

export function isRestrictedUrl(url: string | undefined): boolean {
  return url === undefined || url === '' || RESTRICTED_URL.test(url);
}

type PanelPort = BackgroundPanelEndpoint;

/**
 * The badge's text and tooltip: the sum of the tab's server auth errors and critical exposures
 * (both are errors a person must act on), capped at 999; the tooltip says which is which.
 */
export function badgeWords(serverErrors: number, exposures: number): { text: string; title: string } {
  const total = serverErrors + exposures;
  if (total === 0) return { text: '', title: 'Claimscope' };
  const parts: string[] = [];
  if (serverErrors > 0) parts.push(`${serverErrors} server auth error${serverErrors === 1 ? '' : 's'}`);
  if (exposures > 0) parts.push(`${exposures} secret or service_role key${exposures === 1 ? '' : 's'} used by the page`);
  return { text: String(Math.min(total, 999)), title: `Claimscope: ${parts.join(', ')} on this tab` };
}

export class Router {
  /** Messages refused by the transport, from content scripts and from panels. */
  readonly rejected = { content: 0, panel: 0 };
  private readonly contents = new Map<BackgroundContentEndpoint, ContentRecord>();
  private readonly panels = new Map<number, Set<PanelPort>>();
  private readonly panelTab = new Map<PanelPort, number>();
  /** Snapshot requests awaiting their content's answer: the asking panel and the asked document. */
  private readonly snapshotRequests = new Map<string, { panel: PanelPort; rec: ContentRecord }>();
  private readonly pendingNetwork = new Map<number, PendingNetwork[]>();
  private readonly topDoc = new Map<number, string>();
  /** Docs' last summaries per tab (kept after a port drops: the document may still be alive). */
  private readonly summaries = new Map<number, Map<string, { errors: number; exposures: number; startedAt: number }>>();
  private requestCounter = 0;

  constructor(private readonly host: RouterHost) {}

  // ---- content scripts ------------------------------------------------------------------------
  /** A document's content script connected (port PORT_CONTENT from tab `tabId`, frame `frameId`). */
  contentConnected(runtimePort: PortLike, tabId: number, frameId: number): void {
    const port = backgroundContentEndpoint(runtimePort);
    const rec: ContentRecord = { port, tabId, frameId, serverErrors: 0 };
    this.contents.set(port, rec);
    port.on('hello', (m) => this.hello(rec, m.doc));
    port.on('document', (m) => this.documentChanged(rec, m.doc));
    port.on('events', (m) => {
      if (!this.ownDocument(rec, m.docId, m.events, m)) return;
      for (const panel of this.panels.get(rec.tabId) ?? []) this.toPanel(panel, { type: 'events', docId: m.docId, events: m.events, stats: m.stats });
    });
    port.on('snapshot', (m) => {
      const pending = this.snapshotRequests.get(m.requestId);
      // Only the document that was asked may answer (a request id is no capability to share).
      if (pending?.rec !== rec) return;
      if (!this.ownDocument(rec, m.snapshot.doc.docId, m.snapshot.events, m)) return;
      // A snapshot comes in parts under the message budget (src/transport/chunk.ts): the request
      // is answered with its last part.
      if (!m.more) this.snapshotRequests.delete(m.requestId);
      const panel = pending.panel;
      if (this.panelTab.has(panel)) this.toPanel(panel, { type: 'snapshot', snapshot: m.snapshot });
    });
    port.on('summary', (m) => {
      if (this.ownDocument(rec, m.docId, [], m)) this.summary(rec, m.docId, m.serverErrors, m.exposures);
    });
    port.onInvalid((rejection) => {
      this.rejected.content++;
      this.host.invalidMessage?.('content', rejection);
      // A capture script of another version (the extension was updated under a live page).
      if (rejection.peerVersion !== undefined)
        for (const panel of this.panels.get(rec.tabId) ?? [])
          this.toPanel(panel, {
            type: 'problem',
            message: `The page's capture script speaks protocol ${rejection.peerVersion}, this service worker ${PROTOCOL_VERSION}: reload the page.`,
          });
    });
    port.onDisconnect(() => this.contentDisconnected(port));
  }

  /**
   * A port speaks for the one document that said hello on it: its events, snapshots and summaries
   * name that document and carry only its events. The schema checked the shapes; this checks the
   * identity, so no document (nor a content script subverted by its page) can put events under
   * another document's id in a panel. Anything else is counted as refused.
   */
  private ownDocument(rec: ContentRecord, docId: string, events: ReadonlyArray<{ docId: string }>, message: unknown): boolean {
    let reason: string | undefined;
    if (!rec.doc) reason = 'a document sent captured data before its hello';
    else if (docId !== rec.doc.docId) reason = `a document spoke for another document (${JSON.stringify(docId.slice(0, 40))})`;
    else if (events.some((e) => e.docId !== docId)) reason = 'a document sent events of another document';
    if (reason === undefined) return true;
    this.rejected.content++;
    this.host.invalidMessage?.('content', { reason, message });
    return false;
  }

  private contentDisconnected(port: BackgroundContentEndpoint): void {
    const rec = this.contents.get(port);
    this.contents.delete(port);
    // A document that went away before answering never will: forget its pending requests.
    if (rec) this.forgetSnapshotRequests((r) => r.rec === rec);
  }

  private hello(rec: ContentRecord, doc: DocumentInfo): void {
    rec.doc = doc;
    const panels = this.panels.get(rec.tabId);
    if (doc.isTop && this.topDoc.get(rec.tabId) !== doc.docId) {
      const known = this.topDoc.has(rec.tabId);
      this.topDoc.set(rec.tabId, doc.docId);
      // A new top document: older documents' badge counts no longer apply.
      const sums = this.summaries.get(rec.tabId);
      if (sums) for (const [id, s] of sums) if (s.startedAt < doc.startedAt) sums.delete(id);
      this.updateBadge(rec.tabId);
      if (known) for (const panel of panels ?? []) this.toPanel(panel, { type: 'navigated', tabId: rec.tabId, url: doc.url });
    }
    if (panels?.size) {
      this.toContent(rec, { type: 'stream', on: true });
      const status = this.capturingStatus(rec.tabId);
      for (const panel of panels) {
        this.toPanel(panel, status);
        this.requestSnapshot(rec, panel);
      }
    }
    this.flushNetwork(rec.tabId);
  }

  /** A connected document's hook state was decided or changed: the panels' status follows it. */
  private documentChanged(rec: ContentRecord, doc: DocumentInfo): void {
    // Only the document that said hello on this port may describe itself (no renaming, no iframe
    // posing as the top document).
    if (!rec.doc || doc.docId !== rec.doc.docId) return;
    rec.doc = { ...rec.doc, hook: doc.hook, ...(doc.tampered ? { tampered: doc.tampered } : {}) };
    const status = this.capturingStatus(rec.tabId);
    for (const panel of this.panels.get(rec.tabId) ?? []) this.toPanel(panel, status);
  }

  /**
   * The status of a tab with connected documents: the top document's URL and hook state, and every
   * document with its own hook state (so the panel can name an iframe whose hook did not start).
   */
  private capturingStatus(tabId: number, fallbackUrl?: string): Extract<BackgroundToPanel, { type: 'status' }> {
    let documents = this.contentsOf(tabId).flatMap((r) => (r.doc ? [r.doc] : []));
    const top = documents.find((d) => d.isTop && d.docId === this.topDoc.get(tabId)) ?? documents.find((d) => d.isTop);
    // Documents of the previous page whose ports have not dropped yet are not this page's.
    if (top) documents = documents.filter((d) => d.startedAt >= top.startedAt);
    const url = top?.url ?? fallbackUrl ?? documents[0]?.url;
    return {
      type: 'status',
      v: PROTOCOL_VERSION,
      tabId,
      status: 'capturing',
      ...(url ? { url } : {}),
      ...(top?.hook ? { hook: top.hook } : {}),
      documents,
    };
  }

  private summary(rec: ContentRecord, docId: string, serverErrors: number, exposures: number): void {
    let sums = this.summaries.get(rec.tabId);
    const firstForTab = !sums;
    if (!sums) this.summaries.set(rec.tabId, (sums = new Map()));
    sums.set(docId, { errors: serverErrors, exposures, startedAt: rec.doc?.startedAt ?? this.host.now() });
    this.updateBadge(rec.tabId);
    // First news of this tab since the service worker started: the other documents of the tab may
    // hold counts too; ask them to reconnect and report.
    if (firstForTab) void this.host.pingTab(rec.tabId).catch(() => false);
  }

  private updateBadge(tabId: number): void {
    let errors = 0;
    let exposures = 0;
    for (const s of this.summaries.get(tabId)?.values() ?? []) {
      errors += s.errors;
      exposures += s.exposures;
    }
    this.host.setBadge(tabId, errors, exposures);
  }

  // ---- panels ---------------------------------------------------------------------------------
  /** A panel (or the popup) connected (port PORT_PANEL, from one of the extension's own pages). */
  panelConnected(runtimePort: PortLike): void {
    const port = backgroundPanelEndpoint(runtimePort);
    port.on('subscribe', (m) => void this.subscribe(port, m.tabId));
    port.on('clear', (m) => {
      for (const rec of this.contentsOf(m.tabId)) this.toContent(rec, { type: 'clear' });
      // A snapshot asked before the clear would be answered with what was just cleared (the
      // document answers in order): ask again behind the clear, and forget the first answer.
      for (const [id, r] of [...this.snapshotRequests]) {
        if (r.rec.tabId !== m.tabId) continue;
        this.snapshotRequests.delete(id);
        this.requestSnapshot(r.rec, r.panel);
      }
      this.summaries.delete(m.tabId);
      this.updateBadge(m.tabId);
    });
    port.on('reload-and-capture', (m) => {
      void this.host.reloadTab(m.tabId).catch((e: unknown) =>
        this.toPanel(port, { type: 'problem', message: `Could not reload the tab: ${String((e as Error)?.message ?? e)}` }),
      );
    });
    port.onInvalid((rejection) => {
      this.rejected.panel++;
      this.host.invalidMessage?.('panel', rejection);
      if (rejection.peerVersion !== undefined)
        this.toPanel(port, {
          type: 'problem',
          message: `This panel speaks protocol ${rejection.peerVersion}, the service worker ${PROTOCOL_VERSION}: close and reopen DevTools.`,
        });
    });
    port.onDisconnect(() => this.panelDisconnected(port));
  }

  private panelDisconnected(port: PanelPort): void {
    const tabId = this.panelTab.get(port);
    this.panelTab.delete(port);
    this.forgetSnapshotRequests((r) => r.panel === port);
    if (tabId === undefined) return;
    const set = this.panels.get(tabId);
    set?.delete(port);
    if (set && set.size === 0) {
      this.panels.delete(tabId);
      for (const rec of this.contentsOf(tabId)) this.toContent(rec, { type: 'stream', on: false });
    }
  }

  private async subscribe(port: PanelPort, tabId: number): Promise<void> {
    const previous = this.panelTab.get(port);
    if (previous !== undefined && previous !== tabId) this.panelDisconnected(port);
    this.panelTab.set(port, tabId);
    let set = this.panels.get(tabId);
    if (!set) this.panels.set(tabId, (set = new Set()));
    set.add(port);
    // Documents already connected: stream and snapshot now. Documents whose port dropped (service
    // worker restart) come back through the ping and are served in hello().
    for (const rec of this.contentsOf(tabId)) {
      if (!rec.doc) continue;
      this.toContent(rec, { type: 'stream', on: true });
      this.requestSnapshot(rec, port);
    }
    const url = await this.host.tabUrl(tabId).catch(() => undefined);
    const answered = await this.host.pingTab(tabId).catch(() => false);
    if (!this.panelTab.has(port)) return;
    const status: CaptureStatus = answered || this.contentsOf(tabId).length ? 'capturing' : isRestrictedUrl(url) ? 'restricted' : 'not-capturing';
    if (status === 'capturing') this.toPanel(port, { ...this.capturingStatus(tabId, url), ...(url ? { url } : {}) });
    else this.toPanel(port, { type: 'status', v: PROTOCOL_VERSION, tabId, status, ...(url ? { url } : {}) });
  }

  private requestSnapshot(rec: ContentRecord, panel: PanelPort): void {
    const requestId = `s${++this.requestCounter}`;
    this.snapshotRequests.set(requestId, { panel, rec });
    this.toContent(rec, { type: 'snapshot-request', requestId });
  }

  // ---- network observations (webRequest) ------------------------------------------------------
  /** Hands a webRequest observation to the store of the frame that made the request (or the top). */
  network(tabId: number, frameId: number, body: NetworkObservation, time: number): void {
    if (tabId < 0) return; // not a tab's request (extension pages, service workers of the browser)
    let queue = this.pendingNetwork.get(tabId);
    if (!queue) this.pendingNetwork.set(tabId, (queue = []));
    queue.push({ frameId, body, time });
    if (queue.length > MAX_PENDING_NETWORK) queue.shift();
    if (!this.flushNetwork(tabId)) void this.host.pingTab(tabId).catch(() => false);
  }

  /** Delivers queued observations; returns false when the tab has no connected store yet. */
  private flushNetwork(tabId: number): boolean {
    const queue = this.pendingNetwork.get(tabId);
    if (!queue?.length) return true;
    const recs = this.contentsOf(tabId).filter((r) => r.doc);
    const top = recs.find((r) => r.frameId === 0 && r.doc?.isTop) ?? recs.find((r) => r.frameId === 0);
    const fresh = this.host.now() - PENDING_NETWORK_MAX_AGE_MS;
    const keep: PendingNetwork[] = [];
    const byTarget = new Map<ContentRecord, PendingNetwork[]>();
    for (const item of queue) {
      if (item.time < fresh) continue;
      const target = recs.find((r) => r.frameId === item.frameId) ?? top;
      if (!target) {
        keep.push(item);
        continue;
      }
      let list = byTarget.get(target);
      if (!list) byTarget.set(target, (list = []));
      list.push(item);
    }
    for (const [rec, items] of byTarget)
      this.toContent(rec, { type: 'network-events', source: 'network', events: items.map((i) => i.body), times: items.map((i) => i.time) });
    if (keep.length) this.pendingNetwork.set(tabId, keep);
    else this.pendingNetwork.delete(tabId);
    return keep.length === 0;
  }

  tabRemoved(tabId: number): void {
    this.pendingNetwork.delete(tabId);
    this.summaries.delete(tabId);
    this.topDoc.delete(tabId);
  }

  // ---- helpers --------------------------------------------------------------------------------
  private forgetSnapshotRequests(match: (r: { panel: PanelPort; rec: ContentRecord }) => boolean): void {
    for (const [id, r] of this.snapshotRequests) if (match(r)) this.snapshotRequests.delete(id);
  }

  private contentsOf(tabId: number): ContentRecord[] {
    return [...this.contents.values()].filter((r) => r.tabId === tabId);
  }

  // A post that throws closes the endpoint, whose onDisconnect forgets the port (as if it dropped).
  private toContent(rec: ContentRecord, msg: BackgroundToContent): void {
    rec.port.send(msg);
  }

  private toPanel(port: PanelPort, msg: BackgroundToPanel): void {
    port.send(msg);
  }
}
