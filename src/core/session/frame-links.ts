// Push ↔ reply links between frames (issue 11 item 3): the Frames view's details pane says which
// push a `phx_reply` answers and which reply a push got, and moves between them. The tracker pairs
// them by ref within the socket (realtime-facts §2.1) and records both ends as FrameRefs (seq, time,
// dir); this maps those back to the session's own events, so the panel never searches 200,000 rows.
// Only pushes that wait for a reply are remembered until it comes, at most MAX_AWAITING of them
// (oldest forgotten first): a flood of unanswered pushes costs a bounded map, not the session's memory.

import type { DecodedFrameRecord } from '../realtime';
import type { FrameEvent } from './frame-catalog';

export interface FrameLink {
  /** What the other frame is to this one. */
  role: 'reply' | 'push';
  other: FrameEvent;
  /** The push's Phoenix event (phx_join, heartbeat, phx_leave, broadcast…). */
  pushEvent: string;
}

const MAX_AWAITING = 20_000;

export class FrameLinks {
  private readonly awaiting = new Map<string, { event: FrameEvent; name: string }>();
  private readonly links = new WeakMap<FrameEvent, FrameLink>();

  /** One frame as the tracker saw it (Session.feed calls this for every ws-frame, in order). */
  note(event: FrameEvent, record: DecodedFrameRecord | undefined): void {
    if (!record) return;
    if (record.dir === 'sent' && record.replyPolicy !== undefined && record.replyPolicy !== 'never') {
      const name = record.decoded.ok ? record.decoded.message.event : '';
      const key = keyOf(event.docId, record.seq);
      this.awaiting.delete(key);
      this.awaiting.set(key, { event, name });
      if (this.awaiting.size > MAX_AWAITING) this.awaiting.delete(this.awaiting.keys().next().value as string);
      return;
    }
    if (record.replyTo) {
      const key = keyOf(event.docId, record.replyTo.seq);
      const push = this.awaiting.get(key);
      if (!push) return;
      this.awaiting.delete(key);
      const pushEvent = record.replyToEvent ?? push.name;
      this.links.set(push.event, { role: 'reply', other: event, pushEvent });
      this.links.set(event, { role: 'push', other: push.event, pushEvent });
    }
  }

  /** The frame at the other end of this one's push/reply pair, if the tracker paired it. */
  linkOf(event: FrameEvent): FrameLink | undefined {
    return this.links.get(event);
  }
}

/** Refs and seqs are per document (each document's store numbers its own events). */
function keyOf(docId: string, seq: number): string {
  return `${docId}\u0000${seq}`;
}
