// The MAIN-world page hook (ARCHITECTURE.md "The page hook is tiny and never throws into the
// page"). It runs at document_start in every frame, before any page script, and:
//   - hands a private MessagePort to the isolated content script (one window message, taken and
//     stopped by the content script's capture-phase listener), then posts only through that port;
//   - wraps WebSocket (a Proxy whose construct trap calls the native constructor, so everything the
//     page can observe stays native), WebSocket#send/#close, fetch and XMLHttpRequest;
//   - reports page lifecycle that explains token expiry (hidden, frozen, offline, clock jumps).
// It decodes nothing: it copies, batches and posts. Every capture step is in try/catch, and every
// callback the page's event loop runs is wrapped by `safe`; a failure is reported as a counted drop,
// never thrown into the page.

import { isRealtimeSocketUrl, isSupabaseHttpUrl, type CapturedRequestHeaders, type TokenGrant } from '../core/model';
import { PAGE_LIMITS, PROTOCOL_VERSION, type PageEvent } from '../messages';
import { HANDOVER_KEY } from './handover';

/** A queued event; `w` is set while a binary Blob is being read (keeps frame order). */
type Queued = PageEvent & { w?: 1 };
type Fn = (...args: any[]) => any;

interface SocketState {
  id: string;
  /** 0 undecided (first frames will tell), 1 Realtime (recorded), 2 other (counted only). */
  st: 0 | 1 | 2;
  // Short names: the minifier keeps property names, and the hook has a byte budget.
  /** Events held while undecided. */
  q: Queued[];
  /** Frames seen while undecided. */
  n: number;
  /** The page called close(). */
  bp?: boolean;
}
interface XhrState {
  method: string;
  url: string;
  headers: CapturedRequestHeaders;
}

/** Batches bigger than this go out at once instead of waiting for the timer. */
const FLUSH_AT = 500;
/** Events held in the page if the port is slow; beyond this they are dropped and counted. */
const MAX_QUEUE = 20_000;
const FLUSH_DELAY_MS = 4;
/** Undecided sockets: how many frames may pass without a Phoenix frame before giving up. */
const PHOENIX_SNIFF_FRAMES = 4;
const CLOCK_CHECK_MS = 5_000;
const CLOCK_JUMP_MS = 10_000;
const BODY_WAIT_MS = 5_000;
const MAX_FAILURE_REPORTS = 20;
/** The method of a request whose method the hook could not read without running page code. */
const UNKNOWN = 'UNKNOWN';

/**
 * Installs the hook on `w` (the page's window). It leaves no marker on the page's global (a
 * property, even a non-enumerable symbol, is listed by `Object.getOwnPropertySymbols(window)` and
 * tells every page the extension is there). Idempotence lives in the content script instead: it
 * accepts one port per document and swallows every later hand-over, so a second hook in the same
 * window (measured: Chromium never injects twice; a re-injection into an open tab after an
 * extension update would) only wraps the wrappers, which stays transparent, and its events go
 * nowhere, so nothing is recorded twice.
 */
export function installHook(w: any): void {
  // Natives, captured before any page script can patch them.
  const R = Reflect;
  const apply = R.apply;
  const P = Proxy;
  const dateNow: () => number = w.Date.now;
  const perf = w.performance;
  const perfNow: Fn = perf.now;
  const setT: Fn = w.setTimeout;
  const clearT: Fn = w.clearTimeout;
  const setI: Fn = w.setInterval;
  const addEL: Fn = w.EventTarget.prototype.addEventListener;
  const portPost: Fn = w.MessagePort.prototype.postMessage;
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const U8 = w.Uint8Array;
  const AB = w.ArrayBuffer;
  const isView: Fn = AB.isView;
  const Blob_ = w.Blob;
  const blobSlice: Fn = Blob_ && Blob_.prototype.slice;
  const blobBytes: Fn = Blob_ && Blob_.prototype.arrayBuffer;
  const URL_ = w.URL;
  const Req = w.Request;
  const Headers_ = w.Headers;
  const headersGet: Fn = Headers_ && Headers_.prototype.get;
  const Resp = w.Response && w.Response.prototype;
  const respClone: Fn = Resp && Resp.clone;
  const respText: Fn = Resp && Resp.text;
  const Prom = w.Promise;
  const then: Fn = Prom.prototype.then;
  const fnToString: Fn = w.Function.prototype.toString;
  const masks = new WeakMap<object, object>();
  const now = () => apply(dateNow, w.Date, []) as number;
  /**
   * Every callback the page's event loop runs (listeners, timers, promise reactions) goes through
   * this: an exception would otherwise reach the page's `window.onerror` or, in a promise reaction,
   * its `unhandledrejection`. The failure is counted instead.
   */
  const safe = <F extends Fn>(fn: F): F =>
    function (this: unknown) {
      try {
        return apply(fn, this, arguments);
      } catch (e) {
        fail('callback', e);
      }
    } as F;
  const listen = (target: unknown, type: string, fn: Fn) => apply(addEL, target, [type, safe(fn), true]);
  // Reading what the page passes in without running its code (ARCHITECTURE.md: page-observable
  // behaviour stays the same). The natives get the page's arguments untouched and read them once;
  // the hook must not read them a second time through anything the page can define: a getter, a
  // toString/valueOf, an iterator, an instanceof. It uses instead:
  //   - brand checks: a native getter applied to a value answers only for a real instance of its
  //     class (URL, Request) and runs no page code, else it throws and we get undefined;
  //   - own data properties only, read through their descriptor: an accessor or an inherited
  //     property is "there but unread" (null), never invoked;
  //   - strings only where the native would convert (String(x) would run x's toString again).
  // Residual, accepted: a Proxy passed as init or as headers sees its descriptor/ownKeys/has traps
  // run by the hook too; the realm's own built-ins (String.prototype.toLowerCase, Array iterators,
  // Response.prototype.status...) are called as the page left them; and what the hook does not
  // read is not recorded (a URL given as a non-URL object with a toString is not captured, a method
  // given by a getter is recorded as UNKNOWN, headers given by getters are not recorded).
  const gOPD = Object.getOwnPropertyDescriptor;
  const getter = (proto: any, key: string): Fn => proto && gOPD(proto, key)!.get!;
  const brand = (get: Fn, o: unknown): any => {
    try {
      return apply(get, o, []);
    } catch {
      /* not an instance of the getter's class */
    }
  };
  const own = (o: any, k: PropertyKey): unknown => {
    if (o && typeof o == 'object') {
      const d = gOPD(o, k);
      return d ? ('get' in d ? null : d.value) : k in o ? null : undefined;
    }
  };
  const domMessageGet = getter(w.DOMException && w.DOMException.prototype, 'message');
  /** An Error's own message, or a DOMException's (an aborted fetch); never a page getter or toString. */
  const message = (e: unknown): string => {
    const m = own(e, 'message');
    return str(m) ? m : (brand(domMessageGet, e) ?? 'unknown error');
  };
  const hrefGet = getter(URL_ && URL_.prototype, 'href');
  /** A URL the page gave as a string or a URL instance; undefined for anything else. */
  const urlOf = (u: unknown): string | undefined => (str(u) ? u : brand(hrefGet, u));

  // ---- the private channel ---------------------------------------------------------------------
  const channel = new w.MessageChannel();
  const port = channel.port1;
  apply(w.postMessage, w, [{ [HANDOVER_KEY]: PROTOCOL_VERSION }, '*', [channel.port2]]);

  let queue: Queued[] = [];
  let timer = 0;
  const flushLater = safe(flush);
  let queueDropped = 0;
  let failures = 0;

  function flush(): void {
    timer = 0;
    let n = 0;
    while (n < queue.length && n < PAGE_LIMITS.maxEventsPerBatch && !queue[n].w) n++;
    if (queueDropped) {
      queue.splice(n++, 0, drop(queueDropped, 'hook queue full'));
      queueDropped = 0;
    }
    if (!n) return;
    const events = queue.splice(0, n);
    const transfer: ArrayBuffer[] = [];
    for (const e of events) if (e.bytes) transfer.push(e.bytes);
    try {
      apply(portPost, port, [{ v: PROTOCOL_VERSION, type: 'batch', events }, transfer]);
    } catch {
      failures++;
    }
    if (queue.length) schedule();
  }
  function schedule(): void {
    if (queue.length >= FLUSH_AT) flush();
    else if (!timer) timer = apply(setT, w, [flushLater, FLUSH_DELAY_MS]);
  }
  function emit(ev: Queued): void {
    if (queue.length >= MAX_QUEUE) {
      queueDropped++;
      return;
    }
    queue.push(ev);
    schedule();
  }
  function drop(count: number, reason: string): Queued {
    return { kind: 'drops', droppedEvents: count, droppedBytes: 0, truncatedFrames: 0, reason, time: now() };
  }
  function fail(step: string, e: unknown): void {
    // Counted as a dropped event with its reason; never rethrown into the page.
    if (++failures <= MAX_FAILURE_REPORTS) {
      try {
        emit(drop(1, `capture failed (${step}): ${message(e).slice(0, 200)}`));
      } catch {
        /* nothing more can be done without risking the page */
      }
    }
  }

  /** Replaces obj[name] by a transparent Proxy that calls `after` once the native call returned. */
  function wrapAfter(obj: any, name: string, after: (self: any, args: any[], result: any) => void): void {
    const orig = obj[name];
    if (typeof orig !== 'function') return;
    const px = new P(orig, {
      apply(t: Fn, self: unknown, args: any[]) {
        const r = apply(t, self, args);
        try {
          after(self, args, r);
        } catch (e) {
          fail(name, e);
        }
        return r;
      },
    });
    obj[name] = px;
    masks.set(px, orig);
  }

  // `Function.prototype.toString` of a wrapper answers like the native it wraps.
  try {
    const tsProxy = new P(fnToString, {
      apply(t: Fn, self: any, args: any[]) {
        let target = self;
        try {
          target = masks.get(self) ?? self;
        } catch {
          /* fall back to the receiver itself */
        }
        return apply(t, target, args);
      },
    });
    w.Function.prototype.toString = tsProxy;
    masks.set(tsProxy, fnToString);
  } catch (e) {
    fail('toString', e);
  }

  // ---- WebSocket --------------------------------------------------------------------------------
  const NativeWS = w.WebSocket;
  const sockets = new WeakMap<object, SocketState>();
  let connCount = 0;
  let otherSockets = 0;

  if (typeof NativeWS === 'function') {
    const wsProto = NativeWS.prototype;
    const urlGet = getter(wsProto, 'url');
    const protocolGet = getter(wsProto, 'protocol');
    const extensionsGet = getter(wsProto, 'extensions');
    const stateGet = getter(wsProto, 'readyState');

    const record = (s: SocketState, ev: Queued) => {
      if (s.st === 1) emit(ev);
      else if (s.st === 0) s.q.push(ev);
    };
    const decide = (s: SocketState, st: 1 | 2) => {
      const pend = s.q;
      s.st = st;
      s.q = [];
      if (st === 1) for (const ev of pend) emit(ev);
      else emit({ kind: 'other-sockets', count: ++otherSockets, time: now() });
    };
    const onFrame = (s: SocketState, dir: 'sent' | 'received', data: unknown) => {
      if (s.st === 2) return;
      const ev = { kind: 'ws-frame', conn: s.id, dir, time: now() } as Queued & { [k: string]: unknown };
      const max = PAGE_LIMITS.maxFrameBytes;
      const preview = PAGE_LIMITS.framePreviewBytes;
      if (str(data)) {
        ev.opcode = 'text';
        // The UTF-8 length is counted only for text that might exceed the cap, and only once.
        const big = data.length * 3 > max ? utf8Length(data) : 0;
        if (big > max) {
          ev.text = data.slice(0, preview);
          ev.size = big;
          ev.truncated = true;
        } else {
          ev.text = data;
          ev.size = data.length; // the content script computes the exact UTF-8 size
        }
        if (s.st === 0) {
          s.n++;
          if (looksPhoenix(data, parse)) {
            record(s, ev);
            return decide(s, 1);
          }
        }
      } else {
        ev.opcode = 'binary';
        let buf: ArrayBuffer | undefined;
        let off = 0;
        let len = 0;
        if (data instanceof AB) {
          buf = data as ArrayBuffer;
          len = buf.byteLength;
        } else if (isView(data)) {
          const v = data as ArrayBufferView;
          buf = v.buffer as ArrayBuffer;
          off = v.byteOffset;
          len = v.byteLength;
        }
        if (buf) {
          ev.size = len;
          if (len > max) {
            len = preview;
            ev.truncated = true;
          }
          // `new Uint8Array(view)` copies: the page keeps its buffer, we transfer our copy.
          ev.bytes = new U8(new U8(buf, off, len)).buffer;
        } else if (Blob_ && data instanceof Blob_) {
          const blob = data as Blob;
          ev.size = blob.size;
          ev.w = 1;
          const part = blob.size > max ? ((ev.truncated = true), apply(blobSlice, blob, [0, preview])) : blob;
          const done = safe((bytes?: ArrayBuffer) => {
            ev.bytes = bytes || new AB(0);
            delete ev.w;
            schedule();
          });
          apply(then, apply(blobBytes, part, []), [done, (e: unknown) => (fail('ws', e), done())]);
        } else return;
        s.n++;
      }
      record(s, ev);
      if (s.st === 0 && s.n >= PHOENIX_SNIFF_FRAMES) decide(s, 2);
    };

    const track = (ws: any, args: any[]) => {
      const url: string = apply(urlGet, ws, []);
      const s: SocketState = { id: String(++connCount), st: isRealtimeSocketUrl(url) ? 1 : 0, q: [], n: 0 };
      sockets.set(ws, s);
      const p = args[1];
      // The constructor iterated and converted them; we keep the string ones, running no page code.
      const protocols = str(p) ? [p] : Array.isArray(p) ? p.filter(str) : [];
      record(s, { kind: 'ws-connecting', conn: s.id, url, protocols, time: now() });
      listen(ws, 'open', () =>
        record(s, {
          kind: 'ws-open',
          conn: s.id,
          protocol: apply(protocolGet, ws, []),
          extensions: apply(extensionsGet, ws, []),
          time: now(),
        }),
      );
      listen(ws, 'message', (e: MessageEvent) => onFrame(s, 'received', e.data));
      listen(ws, 'error', () => record(s, { kind: 'ws-error', conn: s.id, time: now() }));
      listen(ws, 'close', (e: CloseEvent) => {
        record(s, {
          kind: 'ws-close',
          conn: s.id,
          code: e.code,
          reason: e.reason,
          wasClean: e.wasClean,
          initiator: s.bp ? 'page' : 'remote',
          time: now(),
        });
        if (s.st === 0) decide(s, 2);
      });
    };

    const WSProxy = new P(NativeWS, {
      construct(target: Fn, args: any[], newTarget: Fn) {
        // Native construction: same errors (SyntaxError for bad URLs), same prototype chain for
        // subclasses (newTarget), same object. Only listeners are added, before the page's own.
        const ws = R.construct(target, args, newTarget);
        try {
          track(ws, args);
        } catch (e) {
          fail('ws', e);
        }
        return ws;
      },
    });
    masks.set(WSProxy, NativeWS);
    // `ws.constructor === WebSocket` must keep holding.
    Object.defineProperty(wsProto, 'constructor', { value: WSProxy });
    w.WebSocket = WSProxy;

    wrapAfter(wsProto, 'send', (ws, args) => {
      const s = sockets.get(ws);
      // A send that did not throw while OPEN went on the wire (CLOSING/CLOSED sends are discarded).
      if (s && apply(stateGet, ws, []) === 1) onFrame(s, 'sent', args[0]);
    });
    wrapAfter(wsProto, 'close', (ws) => {
      const s = sockets.get(ws);
      if (s) s.bp = true;
    });
  }

  // ---- HTTP (fetch, XMLHttpRequest) -------------------------------------------------------------
  let reqCount = 0;
  const absolute = (u: string): string => {
    try {
      return new URL_(u, w.location.href).href;
    } catch {
      return u;
    }
  };
  /** The two recorded headers of a Headers, a [name, value][] or a record, read as `own` reads. */
  const pickHeaders = (h: any): CapturedRequestHeaders => {
    const out: CapturedRequestHeaders = {};
    const put = (k: unknown, v: unknown) => {
      if (str(k) && str(v) && ((k = k.toLowerCase()) === 'authorization' || k === 'apikey')) out[k as 'apikey'] = v;
    };
    try {
      // Throws unless `h` is a real Headers (a brand check, no page code).
      put('apikey', apply(headersGet, h, ['apikey']));
      put('authorization', apply(headersGet, h, ['authorization']));
    } catch {
      if (Array.isArray(h)) for (let i = 0; i < h.length; i++) put(own(own(h, i), 0), own(own(h, i), 1));
      else if (h && typeof h == 'object') for (const k of Object.keys(h)) put(k, own(h, k));
    }
    return out;
  };
  /** What to read from a response body: the token grant, a capped error body, or nothing. */
  const bodyNeed = (url: string, status: number): 'grant' | 'error' | undefined => {
    const path = url.split(/[?#]/)[0];
    if (path.endsWith('/auth/v1/token') && status >= 200 && status < 300) return 'grant';
    if (status >= 400 && (path.includes('/auth/v1/') || path.includes('/realtime/v1/api'))) return 'error';
    return undefined;
  };
  /** Emits the response once its body was read (or gave up), without delaying the page. */
  const respond = (ev: Queued & { [k: string]: unknown }, need: string | undefined, readText: () => Promise<string> | string) => {
    if (!need) return emit(ev);
    // The wait timer doubles as the "not sent yet" flag; cleared once the body was read, so
    // it does not keep the event (and the body read into it) alive for BODY_WAIT_MS.
    const send = safe(() => {
      if (wait) apply(clearT, w, [wait]), (wait = 0), emit(ev);
    });
    let wait = apply(setT, w, [send, BODY_WAIT_MS]);
    const onText = safe((text: string) => {
      try {
        if (need === 'grant') {
          const j = parse(text);
          const g: TokenGrant = {};
          if (str(j.access_token)) g.access_token = j.access_token;
          if (typeof j.expires_at === 'number') g.expires_at = j.expires_at;
          if (typeof j.expires_in === 'number') g.expires_in = j.expires_in;
          ev.grant = g; // never the refresh_token, never anything else of the body
        } else ev.errorBody = String(text).slice(0, PAGE_LIMITS.maxErrorBody);
      } catch (e) {
        fail('body', e);
      }
      send();
    });
    try {
      const t = readText();
      if (str(t)) onText(t);
      else apply(then, t, [onText, send]);
    } catch (e) {
      fail('body', e);
      send();
    }
  };

  const nativeFetch = w.fetch;
  if (typeof nativeFetch === 'function') {
    const reqProto = Req && Req.prototype;
    const reqUrlGet = getter(reqProto, 'url');
    const reqMethodGet = getter(reqProto, 'method');
    const reqHeadersGet = getter(reqProto, 'headers');
    const fetchProxy = new P(nativeFetch, {
      apply(t: Fn, self: unknown, args: any[]) {
        let req: { id: string; url: string } | undefined;
        try {
          // No destructuring: `args` is ours, but an array pattern would run the Array iterator.
          const input = args[0];
          const init = args[1];
          const url = urlOf(input) ?? brand(reqUrlGet, input);
          // Only Supabase-path requests are recorded: for any other URL `init` is never looked at.
          if (url && isSupabaseHttpUrl(url)) {
            const m = own(init, 'method');
            const h = own(init, 'headers');
            req = { id: String(++reqCount), url: absolute(url) };
            emit({
              kind: 'http-request',
              req: req.id,
              method: (m === undefined ? (brand(reqMethodGet, input) ?? 'GET') : str(m) ? m : UNKNOWN).toUpperCase(),
              url: req.url,
              headers: pickHeaders(h === undefined ? brand(reqHeadersGet, input) : h),
              api: 'fetch',
              time: now(),
            });
          }
        } catch (e) {
          fail('fetch', e);
        }
        const p = apply(t, self, args);
        if (!req) return p;
        const r = req;
        // The page gets a promise derived from the native one, never `p` with our handler on it:
        // a handler on `p` marks it handled, and a page that never handles a failed fetch would lose
        // its `unhandledrejection`. The derived promise settles like `p` (the same Response object,
        // the same rejection reason), one reaction later; our bookkeeping runs first, so the clone
        // is taken before the page can read the body. It is made by the Promise saved at install,
        // the realm's own (what native fetch returns even if the page later replaces `Promise`).
        return new Prom((ok: Fn, no: Fn) =>
          apply(then, p, [
            (res: Response) => {
              try {
                const ev = { kind: 'http-response', req: r.id, status: res.status, time: now() } as Queued & { [k: string]: unknown };
                const need = res.type === 'opaque' ? undefined : bodyNeed(r.url, res.status);
                respond(ev, need, () => apply(respText, apply(respClone, res, []), []));
              } catch (e) {
                fail('fetch', e);
              }
              ok(res);
            },
            (err: unknown) => {
              try {
                emit({ kind: 'http-response', req: r.id, status: 0, networkError: message(err), time: now() });
              } catch (e) {
                fail('fetch', e);
              }
              no(err);
            },
          ]),
        );
      },
    });
    masks.set(fetchProxy, nativeFetch);
    w.fetch = fetchProxy;
  }

  const XHR = w.XMLHttpRequest;
  if (typeof XHR === 'function') {
    const xp = XHR.prototype;
    const xhrs = new WeakMap<object, XhrState | undefined>();
    const statusGet = getter(xp, 'status');
    const typeGet = getter(xp, 'responseType');
    const responseGet = getter(xp, 'response');
    wrapAfter(xp, 'open', (x, args) => {
      // open() converted both arguments already: strings and URL instances only, never toString.
      let url = urlOf(args[1]);
      const m = args[0];
      xhrs.set(x, url && isSupabaseHttpUrl((url = absolute(url))) ? { method: str(m) ? m.toUpperCase() : UNKNOWN, url, headers: {} } : undefined);
    });
    wrapAfter(xp, 'setRequestHeader', (x, args) => {
      const st = xhrs.get(x);
      if (st) Object.assign(st.headers, pickHeaders([[args[0], args[1]]]));
    });
    wrapAfter(xp, 'send', (x) => {
      const st = xhrs.get(x);
      if (!st) return;
      const id = String(++reqCount);
      emit({ kind: 'http-request', req: id, ...st, headers: { ...st.headers }, api: 'xhr', time: now() });
      // Once per send: a reused XHR must not pile up listeners, nor report this request again when a
      // later one ends. A re-open() replaces `st` (and aborts this request without a loadend).
      const onEnd = safe(() => {
        if (xhrs.get(x) !== st) return;
        const status: number = apply(statusGet, x, []);
        const ev = { kind: 'http-response', req: id, status, time: now() } as Queued & { [k: string]: unknown };
        if (status === 0) {
          ev.networkError = 'network error';
          return emit(ev);
        }
        const type: string = apply(typeGet, x, []);
        const need = type === '' || type === 'text' || type === 'json' ? bodyNeed(st.url, status) : undefined;
        respond(ev, need, () => {
          const body = apply(responseGet, x, []);
          return str(body) ? body : stringify(body);
        });
      });
      apply(addEL, x, ['loadend', onEnd, { capture: true, once: true }]);
    });
  }

  // ---- lifecycle that explains token expiry -----------------------------------------------------
  try {
    const doc = w.document;
    const lifecycle = (change: string, extra?: object) => emit({ kind: 'lifecycle', change, ...extra, time: now() } as Queued);
    if (doc) {
      listen(doc, 'visibilitychange', () => lifecycle(doc.visibilityState === 'hidden' ? 'hidden' : 'visible'));
      listen(doc, 'freeze', () => lifecycle('freeze'));
      listen(doc, 'resume', () => lifecycle('resume'));
    }
    listen(w, 'online', () => lifecycle('online'));
    listen(w, 'offline', () => lifecycle('offline'));
    // Sleep shows as the wall clock moving against the monotonic clock.
    const drift = () => now() - apply(perfNow, perf, []);
    let last = drift();
    apply(setI, w, [
      safe(() => {
        const d = drift();
        if (Math.abs(d - last) > CLOCK_JUMP_MS) lifecycle('clock-jump', { jumpMs: Math.round(d - last) });
        last = d;
      }),
      CLOCK_CHECK_MS,
    ]);
  } catch (e) {
    fail('lifecycle', e);
  }
}

/** A text frame that speaks Phoenix: a V2 array with a string topic, or a V1 object (§1.2–1.3). */
export function looksPhoenix(text: string, parse: (s: string) => any = JSON.parse): boolean {
  const c = text.charCodeAt(0);
  if ((c !== 91 && c !== 123) || text.length > 65_536) return false; // '[' or '{'
  try {
    const m = parse(text);
    if (Array.isArray(m)) return m.length === 5 && str(m[2]) && str(m[3]);
    return !!m && str(m.topic) && str(m.event) && 'ref' in m;
  } catch {
    return false;
  }
}

function str(x: unknown): x is string {
  return typeof x == 'string';
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) (n += 4), i++;
    else n += 3;
  }
  return n;
}
