// What the analysis needs from the captured events other than frames, extracted once per event.
//
// The claims engine reads frames only through the Realtime tracker's records; from the other
// events (HTTP calls, socket lifecycle, page lifecycle, network observations) it needs a handful
// of facts: the tokens each HTTP call carried, the `Date` header samples, refresh responses,
// sign-outs, lifecycle changes. A live session (core/session) keeps one index and adds each new
// event as it arrives, so an analysis run costs what the tokens, channels and these short lists
// cost — not a scan of every event held (issue 8, "incremental analysis"). `analyzeSession` given
// a plain event list builds a throw-away index in one pass: same facts, same order.

import type { CapturedEvent, HttpRequest, HttpResponse, PageLifecycle } from '../model';
import { TokenCache } from '../tokens/cache';
import { urlToken, type DecodedToken } from '../tokens/decode';
import { tokensInUrl } from '../url-secrets';
import type { TokenUseKind } from '../tokens/use-kind';
import { dateHeaderSample, type SkewSample } from './skew';

export interface TokenUse {
  kind: TokenUseKind;
  time: number;
  seq: number;
  conn?: string;
  topic?: string;
  req?: string;
  url?: string;
  /** The document of the HTTP call (a session is evidence only for the sockets of its document). */
  doc?: string;
  /** Where in the page's URL ('page-url' uses): `#access_token`, `?apikey`, `path`. */
  param?: string;
}

/** A token in the URL of one document (`EvidenceIndex.addDocument`): one use, at the document's start. */
export interface PageUrlToken {
  token: DecodedToken;
  use: TokenUse;
}

/** What the index needs of a document (messages.ts DocumentInfo). */
export interface IndexedDocument {
  docId: string;
  url: string;
  startedAt: number;
}

/** One token's uses on HTTP calls, in event order. */
export interface HttpTokenUses {
  token: DecodedToken;
  uses: TokenUse[];
  firstSeen: number;
  lastSeen: number;
}

type Request = HttpRequest & CapturedEvent;
type Response = HttpResponse & CapturedEvent;

/** A frozen-in-time copy of an index's lists (EvidenceIndex.view). */
export interface EvidenceView {
  lastTime: number;
  connectingSeq: ReadonlyMap<string, number>;
  /** The document each socket was opened in (its `ws-connecting` event's docId). */
  connectingDoc: ReadonlyMap<string, string>;
  httpTokens: HttpTokenUses[];
  dateSamples: SkewSample[];
  refreshResponses: ReadonlyArray<{ request: Request; response: Response }>;
  logouts: readonly Request[];
  /** Responses to Realtime's REST broadcast (`/realtime/v1/api/broadcast…`, §2.5, §3.5), with their request. */
  broadcastResponses: ReadonlyArray<{ request: Request; response: Response }>;
  lifecycle: ReadonlyArray<PageLifecycle & CapturedEvent>;
  /** Distinct X-Client-Info values per document (docId), in order of first use. */
  clientInfo: ReadonlyMap<string, readonly string[]>;
  /** Tokens in the documents' own URLs, one use per token and document. */
  pageUrlTokens: readonly PageUrlToken[];
}

/** Decodes shared by every index (a token is decoded once however many calls carry it). */
const SHARED_DECODES = new TokenCache();

export class EvidenceIndex {
  /** Latest time of any captured event, frames included (see `noteTime`). */
  lastTime = 0;
  /** Tokens carried by HTTP calls and token grants, by cleaned token, in order of first use. */
  readonly httpTokens = new Map<string, HttpTokenUses>();
  /** `ws-connecting` seq per connection (the socket apikey's place of use). */
  readonly connectingSeq = new Map<string, number>();
  readonly connectingDoc = new Map<string, string>();
  readonly dateSamples: SkewSample[] = [];
  /** Responses to `/auth/v1/token?grant_type=refresh_token`, with their request. */
  readonly refreshResponses: Array<{ request: Request; response: Response }> = [];
  readonly logouts: Request[] = [];
  readonly broadcastResponses: Array<{ request: Request; response: Response }> = [];
  readonly lifecycle: Array<PageLifecycle & CapturedEvent> = [];
  /** Distinct X-Client-Info values per document, at most a few each (a page has one or two clients). */
  readonly clientInfo = new Map<string, string[]>();
  private readonly requests = new Map<string, Request>();
  /** Documents whose URL was read (each once, however many events it has). */
  private readonly documents = new Set<string>();
  readonly pageUrlTokens: PageUrlToken[] = [];

  constructor(private readonly decode: (raw: string) => DecodedToken = (raw) => SHARED_DECODES.decode(raw)) {}

  static of(events: readonly CapturedEvent[], decode?: (raw: string) => DecodedToken): EvidenceIndex {
    const index = new EvidenceIndex(decode);
    for (const e of events) index.add(e);
    return index;
  }

  /** A frame's time, for `lastTime` (frames themselves are not indexed). */
  noteTime(time: number): void {
    if (time > this.lastTime) this.lastTime = time;
  }

  add(e: CapturedEvent): void {
    this.noteTime(e.time);
    switch (e.kind) {
      case 'ws-connecting':
        this.connectingSeq.set(e.conn, e.seq);
        this.connectingDoc.set(e.conn, e.docId);
        break;
      case 'http-request': {
        this.requests.set(e.req, e);
        const auth = e.headers.authorization;
        if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) this.addUse(auth, { kind: 'http-authorization', time: e.time, seq: e.seq, req: e.req, url: e.url, doc: e.docId });
        this.addUse(e.headers.apikey, { kind: 'http-apikey', time: e.time, seq: e.seq, req: e.req, url: e.url });
        // The API gateway also takes the key as `?apikey=` (kept whole by url-secrets.ts): a use
        // like the header's, unless it repeats it.
        if (e.url.includes('apikey=')) {
          const param = tokensInUrl(e.url).find((t) => t.where === '?apikey');
          if (param && param.value !== e.headers.apikey) this.addUse(param.value, { kind: 'http-apikey-param', time: e.time, seq: e.seq, req: e.req, url: e.url });
        }
        if (/\/auth\/v1\/logout\b/.test(e.url)) this.logouts.push(e);
        const info = e.headers['x-client-info'];
        if (typeof info === 'string' && info !== '') {
          const seen = this.clientInfo.get(e.docId) ?? [];
          if (seen.length < 4 && !seen.includes(info)) seen.push(info);
          this.clientInfo.set(e.docId, seen);
        }
        break;
      }
      case 'http-response': {
        const request = this.requests.get(e.req);
        if (e.grant?.access_token) this.addUse(e.grant.access_token, { kind: 'token-grant', time: e.time, seq: e.seq, req: e.req, url: request?.url, doc: e.docId });
        if (request && /\/auth\/v1\/token\b/.test(request.url) && /grant_type=refresh_token/.test(request.url)) this.refreshResponses.push({ request, response: e });
        if (request && /\/realtime\/v1\/api\/broadcast\b/.test(request.url)) this.broadcastResponses.push({ request, response: e });
        break;
      }
      case 'lifecycle':
        this.lifecycle.push(e);
        break;
      default:
        break;
    }
    const sample = dateHeaderSample(e, this.requests);
    if (sample) this.dateSamples.push(sample);
  }

  /**
   * A document of the page: the tokens its URL holds (core/url-secrets.ts `tokensInUrl`: an
   * implicit-flow access token, an apikey) become one use each, dated at the document's start —
   * a URL is the document's, not its events', so a document is read once whatever its traffic.
   * Returns whether the document was new.
   */
  addDocument(doc: IndexedDocument): boolean {
    if (this.documents.has(doc.docId)) return false;
    this.documents.add(doc.docId);
    if (typeof doc.url !== 'string' || !Number.isFinite(doc.startedAt)) return true;
    for (const { where, value } of tokensInUrl(doc.url)) {
      const token = urlToken(value, this.decode);
      // Only a JWT or an sb_ key is a token use here: a JWT-shaped piece of a URL that does not
      // decode is the page's text (a route, an id), not something it signed in with.
      if (token.form !== 'jwt' && token.form !== 'opaque-key') continue;
      this.pageUrlTokens.push({ token, use: { kind: 'page-url', time: doc.startedAt, seq: 0, doc: doc.docId, param: where } });
    }
    return true;
  }

  /**
   * The lists as they are now (copies: the index keeps growing). An analysis takes this before its
   * first await, so one run never mixes two states of the session.
   */
  view(): EvidenceView {
    return {
      lastTime: this.lastTime,
      connectingSeq: new Map(this.connectingSeq),
      connectingDoc: new Map(this.connectingDoc),
      httpTokens: [...this.httpTokens.values()].map((h) => ({ ...h, uses: h.uses.slice() })),
      dateSamples: this.dateSamples.slice(),
      refreshResponses: this.refreshResponses.slice(),
      logouts: this.logouts.slice(),
      broadcastResponses: this.broadcastResponses.slice(),
      lifecycle: this.lifecycle.slice(),
      clientInfo: new Map([...this.clientInfo].map(([doc, list]) => [doc, list.slice()])),
      pageUrlTokens: this.pageUrlTokens.slice(),
    };
  }

  private addUse(raw: unknown, use: TokenUse): void {
    if (typeof raw !== 'string' || raw.trim() === '') return;
    const token = this.decode(raw);
    const seen = this.httpTokens.get(token.cleaned);
    if (!seen) {
      this.httpTokens.set(token.cleaned, { token, uses: [use], firstSeen: use.time, lastSeen: use.time });
      return;
    }
    seen.uses.push(use);
    seen.firstSeen = Math.min(seen.firstSeen, use.time);
    seen.lastSeen = Math.max(seen.lastSeen, use.time);
  }
}
