// The panel's whole model: its copy of the captured events (PanelState), the per-frame catalog,
// and the Realtime tracker fed incrementally. Pure (no DOM, no extension APIs) so it is tested in
// Node; the Preact UI only reads it and re-renders when `version` changes.

import type { CapturedEvent } from '../core/model';
import { RealtimeTracker, type RealtimeSession } from '../core/realtime';
import { FrameCatalog, isFrameEvent } from './frames';
import { PanelState, type PanelChange } from './state';
import { DocumentUnloads, unloadLookup, type UnloadLookup } from './unload';

export interface PanelModelOptions {
  tabId: number;
  maxEvents?: number;
  now?: () => number;
}

export class PanelModel {
  readonly state: PanelState;
  readonly catalog = new FrameCatalog();
  private tracker: RealtimeTracker;
  /** Documents that went away (pagehide): their sockets are shown closed by the unload. */
  private readonly unloads = new DocumentUnloads();
  /** How many times the tracker had to be rebuilt from the held events (late events, clear). */
  rebuilds = 0;

  constructor(options: PanelModelOptions) {
    this.state = new PanelState({
      tabId: options.tabId,
      maxEvents: options.maxEvents,
      now: options.now,
      isBulk: this.catalog.isBulk,
    });
    this.tracker = newTracker(this.state.maxEvents);
  }

  get version(): number {
    return this.state.version;
  }

  /** Connections, channels, join attempts as the Realtime tracker sees them. */
  session(): RealtimeSession {
    return this.tracker.snapshot();
  }

  /**
   * Which connections ended with their page (pagehide still in force for their document). Like the
   * tracker, it keeps what it learned when the pagehide event itself is evicted.
   */
  unloadLookup(): UnloadLookup {
    return unloadLookup(this.unloads.all());
  }

  /** Ingests one BackgroundToPanel message (unvalidated input: PanelState validates it). */
  apply(message: unknown): PanelChange[] {
    // The catalog must know each socket's vsn before the state's bound classifies frames.
    if (message && typeof message === 'object') {
      const m = message as { type?: unknown; events?: unknown; snapshot?: { events?: unknown } };
      if (m.type === 'events' && Array.isArray(m.events)) this.catalog.noteEvents(m.events);
      if (m.type === 'snapshot' && m.snapshot && Array.isArray(m.snapshot.events)) this.catalog.noteEvents(m.snapshot.events);
    }
    const changes = this.state.apply(message);
    this.follow(changes);
    return changes;
  }

  /** Events the panel observed itself (DevTools' network log): see PanelState.applyLocal. */
  applyLocal(events: readonly CapturedEvent[]): PanelChange[] {
    this.catalog.noteEvents(events);
    const changes = this.state.applyLocal(events);
    this.follow(changes);
    return changes;
  }

  clear(): PanelChange[] {
    const changes = this.state.clear();
    this.follow(changes);
    return changes;
  }

  private follow(changes: PanelChange[]): void {
    for (const change of changes) {
      switch (change.kind) {
        case 'appended':
          this.feedTracker(change.events);
          break;
        case 'reordered':
        case 'cleared':
          this.rebuild();
          break;
        default:
          // Evictions keep what the tracker learned: a join attempt stays explained after its
          // frames were evicted from the panel's copy.
          break;
      }
    }
  }

  private rebuild(): void {
    this.rebuilds++;
    this.tracker = newTracker(this.state.maxEvents);
    this.unloads.clear();
    this.feedTracker(this.state.rows.filter((row): row is CapturedEvent => row.kind !== 'separator'));
  }

  /**
   * The tracker returns the decoded record of each ws-frame it ingests: hand it to the catalog so
   * the frame list reuses that decoding instead of decoding every frame twice.
   */
  private feedTracker(events: readonly CapturedEvent[]): void {
    for (const event of events) {
      const record = this.tracker.ingest(event);
      this.unloads.note(event);
      if (record && isFrameEvent(event)) this.catalog.attachRecord(event, record);
    }
  }
}

function newTracker(maxFrames: number): RealtimeTracker {
  // Bulk payloads are re-decoded from the held events when the user opens a frame: the tracker
  // need not keep 200,000 decoded broadcasts in memory. Its frame records are bounded like the
  // panel's copy (the panel evicts events but the tracker keeps what it learned from them:
  // connections, channels and join attempts stay; only per-frame records are forgotten).
  return new RealtimeTracker({ keepBulkPayloads: false, maxFrames });
}
