// Pairs the background's network observations (webRequest) with the page's own records of the
// same exchange, so the panel can show a response's `Date` and a socket's upgrade status next to
// what the hook saw. Pure; kept bounded. Pairing is by exact URL and method, oldest unpaired first:
// webRequest has no id the page can see, so this is the best available evidence, not a proof.

import type { CapturedEvent, NetworkObservation } from '../core/model';

/** Unpaired page records remembered per key; older ones are forgotten. */
const MAX_PENDING = 500;

export class NetworkCorrelator {
  private readonly pending = new Map<string, string[]>();
  private size = 0;

  /** Remembers page-side records that a network observation may later pair with. */
  notePageEvent(ev: CapturedEvent): void {
    if (ev.kind === 'http-request') this.push(`http ${ev.method} ${ev.url}`, ev.req);
    else if (ev.kind === 'ws-connecting') this.push(`ws GET ${ev.url}`, ev.conn);
  }

  /** Returns the observation with `req` or `conn` set when a page record pairs with it. */
  pair(obs: NetworkObservation): NetworkObservation {
    if (obs.req || obs.conn) return obs;
    const isSocket = obs.resourceType === 'websocket';
    const key = isSocket ? `ws GET ${obs.url}` : `http ${obs.method.toUpperCase()} ${obs.url}`;
    const list = this.pending.get(key);
    const id = list?.shift();
    if (id === undefined) return obs;
    this.size--;
    if (!list!.length) this.pending.delete(key);
    return isSocket ? { ...obs, conn: id } : { ...obs, req: id };
  }

  clear(): void {
    this.pending.clear();
    this.size = 0;
  }

  private push(key: string, id: string): void {
    if (this.size >= MAX_PENDING) this.clear();
    let list = this.pending.get(key);
    if (!list) this.pending.set(key, (list = []));
    list.push(id);
    this.size++;
  }
}
