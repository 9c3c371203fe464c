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
//
// The hook shares its realm with the page, and the page may patch any built-in after the hook
// installed (issue 10 item 5). So after install the hook runs no built-in it reads from the page's
// globals or prototypes at event time: every native function and getter it uses is captured at
// install (before any page script) and called with Reflect.apply; every object and array it builds
// for an event, a queue or a message has every field set at once and a prototype chain of its own
// (BARE: empty, frozen, then null), so no Object.prototype or Array.prototype setter the page adds
// ever sees or rewrites it; arrays are appended by index on that chain, never with `push`. A socket or lifecycle event the page dispatched itself (isTrusted false) is refused and
// reported as forged: the one forgery the hook can see happen. What remains possible is written down
// in README "What a hostile page can do".

import { REALTIME_SOCKET_PATHS, SUPABASE_HTTP_PATHS, type CapturedRequestHeaders } from '../core/model';
import { PAGE_LIMITS, PROTOCOL_VERSION } from '../messages';
import { HANDOVER_KEY } from './handover';

/**
 * An event on its way to the content script, on the BARE prototype chain. `w` is set while a binary
 * Blob is being read (keeps frame order).
 */
type Ev = { [k: string]: any };
type Fn = (...args: any[]) => any;

interface SocketState {
  id: string;
  /** 0 undecided (first frames will tell), 1 Realtime (recorded), 2 other (counted only). */
  st: 0 | 1 | 2;
  // Short names: the minifier keeps property names, and the hook has a byte budget.
  /** Events held while undecided. */
  q: Ev[];
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
/** Frames and events held in the page if the port is slow; beyond this they are dropped and counted. */
const MAX_QUEUE = 20_000;
/**
 * Frames of one run at most, and of one batch: the content script reads a batch's first
 * maxEventsPerBatch frames and events and counts the rest unread, and a batch keeps two places for
 * its drop reports.
 */
const BATCH_FRAMES = PAGE_LIMITS.maxEventsPerBatch - 2;
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
  // ---- natives, captured before any page script can patch them ---------------------------------
  const R = Reflect;
  const apply = R.apply;
  const construct = R.construct;
  const defineProp = R.defineProperty;
  const gOPD = R.getOwnPropertyDescriptor;
  const hasOwn: Fn = Object.hasOwn;
  const keys = Object.keys;
  const isArray = Array.isArray;
  const round = Math.round;
  const parse = JSON.parse;
  // V8 only (Firefox: undefined, and `hide` does nothing).
  const captureStack: Fn = (Error as any).captureStackTrace;
  const P = Proxy;
  const call = (f: Fn, self: unknown, ...args: unknown[]): any => apply(f, self, args);
  const SP = String.prototype;
  const slice = SP.slice;
  const indexOf = SP.indexOf;
  const endsWith = SP.endsWith;
  const includes = SP.includes;
  const upper = SP.toUpperCase;
  const lower = SP.toLowerCase;
  const charCode = SP.charCodeAt;
  const WM = WeakMap;
  const wmGet = WM.prototype.get;
  const wmSet = WM.prototype.set;
  const dateNow: Fn = w.Date.now;
  const perf = w.performance;
  const perfNow: Fn = perf.now;
  const setT: Fn = w.setTimeout;
  const clearT: Fn = w.clearTimeout;
  const setI: Fn = w.setInterval;
  const addEL: Fn = w.EventTarget.prototype.addEventListener;
  const portPost: Fn = w.MessagePort.prototype.postMessage;
  const U8 = w.Uint8Array;
  const AB = w.ArrayBuffer;
  const Blob_ = w.Blob;
  const blobProto = Blob_ && Blob_.prototype;
  const blobSlice: Fn = blobProto && blobProto.slice;
  const blobBytes: Fn = blobProto && blobProto.arrayBuffer;
  const URL_ = w.URL;
  const Headers_ = w.Headers;
  const headersGet: Fn = Headers_ && Headers_.prototype.get;
  const Resp = w.Response && w.Response.prototype;
  const respClone: Fn = Resp && Resp.clone;
  const respText: Fn = Resp && Resp.text;
  const Prom = w.Promise;
  const then: Fn = Prom.prototype.then;
  const fnToString: Fn = w.Function.prototype.toString;
  const fnBind: Fn = w.Function.prototype.bind;
  const fnCall: Fn = w.Function.prototype.call;
  /**
   * `f` as a function of its receiver: the captured Function.prototype.call bound to `f`. For the
   * per-frame natives (the clock, MessageEvent#data, WebSocket#readyState): V8 calls a bound
   * `call` of a known target like the target itself (a direct API call), where Reflect.apply goes
   * through its generic array-like path on every frame (issue 14). Page patches of `call` or `bind`
   * made after install change nothing: both are bound here.
   */
  const uncurry = (f: Fn): Fn => call(fnBind, fnCall, f);
  const proto = (name: string) => w[name] && w[name].prototype;
  const getter = (p: any, key: string): Fn => p && gOPD(p, key)?.get;
  const TA = U8 && R.getPrototypeOf(U8.prototype);
  const taBuffer = getter(TA, 'buffer');
  const taOffset = getter(TA, 'byteOffset');
  const taLength = getter(TA, 'byteLength');
  const taSet: Fn = TA && TA.set;
  const DV = proto('DataView');
  /** The buffer, byteOffset and byteLength getters of typed arrays, then of DataView. */
  const viewGets = [taBuffer, taOffset, taLength];
  const dvGets = [getter(DV, 'buffer'), getter(DV, 'byteOffset'), getter(DV, 'byteLength')];
  const abLength = getter(AB && AB.prototype, 'byteLength');
  const blobSize = getter(blobProto, 'size');
  const dataOf = uncurry(getter(proto('MessageEvent'), 'data'));
  const CE = proto('CloseEvent');
  const codeGet = getter(CE, 'code');
  const reasonGet = getter(CE, 'reason');
  const cleanGet = getter(CE, 'wasClean');
  const visibilityGet = getter(proto('Document'), 'visibilityState');
  const statusGet = getter(Resp, 'status');
  const typeGet = getter(Resp, 'type');
  const hrefGet = getter(URL_ && URL_.prototype, 'href');
  const domMessageGet = getter(proto('DOMException'), 'message');
  const masks = new WM();

  /**
   * The prototype of every object and array the hook builds: empty, frozen, itself on a null
   * prototype. A setter the page adds to Object.prototype or Array.prototype is never on their
   * chain, and (unlike a null prototype, which V8 keeps in slow dictionary mode) they stay fast.
   */
  const BARE = Object.freeze(Object.create(null));
  /** An array of ours: `a[a.length] = v` appends without reaching Array.prototype. */
  const list = (): any[] => {
    const a: any[] = [];
    R.setPrototypeOf(a, BARE);
    return a;
  };
  /**
   * A frame event, the one built per frame: by a constructor whose prototype is BARE (V8 builds it
   * on a fast path; a `__proto__` literal costs a runtime call, ~0.3 µs). Only the fields a frame
   * has: every one costs its structured clone. `truncated`, `w` and `bytes` are added when they
   * apply, safely: no setter is on BARE's chain.
   */
  function Frame(this: Ev, conn: string, dir: string, time: number, opcode: string, size: number, text?: string) {
    this.kind = 'ws-frame';
    this.conn = conn;
    this.dir = dir;
    this.time = time;
    this.opcode = opcode;
    this.size = size;
    if (text !== undefined) this.text = text;
  }
  Frame.prototype = BARE;
  /** No arguments, without allocating (Reflect.apply reads only its own length). */
  const NONE = list();
  const now: () => number = call(fnBind, dateNow, w.Date);
  const add = (a: unknown[], v: unknown) => (a[a.length] = v);
  /**
   * Every callback the page's event loop runs (listeners, timers, promise reactions) goes through
   * this: an exception would otherwise reach the page's `window.onerror` or, in a promise reaction,
   * its `unhandledrejection`. The failure is counted instead.
   */
  // Our callbacks are arrows and declarations that ignore `this` and take at most one argument (an
  // event, a body, a buffer): called directly, no `arguments` object per socket message.
  const safe = <F extends Fn>(fn: F): F =>
    function (x: unknown) {
      try {
        return fn(x);
      } catch (e) {
        fail('callback', e);
      }
    } as F;
  const listen = (target: unknown, type: string, fn: Fn) => call(addEL, target, type, safe(fn), true);
  /**
   * A Proxy trap. What it throws is the native's own error, rethrown: V8 gets its stack captured
   * again from the trap's caller, so a page reading `e.stack` sees its own frames and none of the
   * hook's (issue 10 item 6; the hook's script is also named `<anonymous>`, not by its extension URL,
   * by a sourceURL the build appends).
   */
  const trap = (body: Fn) =>
    // Both trap kinds take three arguments (apply: target, this, args; construct: target, args,
    // newTarget): named, so no `arguments` object is made on every wrapped call.
    function t(a: unknown, b: unknown, c: unknown) {
      try {
        return body(a, b, c);
      } catch (e) {
        try {
          captureStack(e, t);
        } catch {
          /* not an object, not V8, or a frozen error: thrown as it is */
        }
        throw e;
      }
    };
  // Reading what the page passes in without running its code (ARCHITECTURE.md: page-observable
  // behaviour stays the same). The natives get the page's arguments untouched and read them once;
  // the hook must not read them a second time through anything the page can define: a getter, a
  // toString/valueOf, an iterator, an instanceof. It uses instead:
  //   - brand checks: a native getter applied to a value answers only for a real instance of its
  //     class (URL, Request, ArrayBuffer, Blob...) and runs no page code, else it throws and we get
  //     undefined;
  //   - own data properties only, read through their descriptor: an accessor or an inherited
  //     property is "there but unread" (null), never invoked;
  //   - strings only where the native would convert (String(x) would run x's toString again).
  // Residual, accepted: a Proxy passed as init, headers or protocols sees its descriptor/ownKeys/has
  // traps run by the hook too; and what the hook does not read is not recorded (a URL given as a
  // non-URL object with a toString is not captured, a method given by a getter is recorded as
  // UNKNOWN, headers given by getters are not recorded).
  const brand = (get: Fn, o: unknown): any => {
    try {
      return apply(get, o, []);
    } catch {
      /* not an instance of the getter's class */
    }
  };
  const own = (o: any, k: PropertyKey): any => {
    if (o && typeof o == 'object') {
      const d = gOPD(o, k);
      return d ? (hasOwn(d, 'value') ? d.value : null) : k in o ? null : undefined;
    }
  };
  /** An Error's own message, or a DOMException's (an aborted fetch); never a page getter or toString. */
  const message = (e: unknown): string => {
    const m = own(e, 'message');
    return str(m) ? m : (brand(domMessageGet, e) ?? 'unknown error');
  };
  /** A URL the page gave as a string or a URL instance; undefined for anything else. */
  const urlOf = (u: unknown): string | undefined => (str(u) ? u : brand(hrefGet, u));
  /** core/model pathOf, with the captured string methods. */
  const pathOf = (u: string): string => {
    const a = call(indexOf, u, '?');
    const b = call(indexOf, u, '#');
    const q = a < 0 || (b >= 0 && b < a) ? b : a;
    if (q >= 0) u = call(slice, u, 0, q);
    const s = call(indexOf, u, '://');
    const p = s < 0 ? 0 : call(indexOf, u, '/', s + 3);
    return s < 0 ? u : p < 0 ? '/' : call(slice, u, p);
  };
  /** core/model isRealtimeSocketUrl (endsWith) and isSupabaseHttpUrl (includes). */
  const pathIs = (u: string, paths: readonly string[], test: Fn): boolean => {
    const p = pathOf(u);
    for (let i = 0; i < paths.length; i++) if (call(test, p, paths[i])) return true;
    return false;
  };
  const utf8Length = (s: string): number => {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c: number = call(charCode, s, i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) (n += 4), i++;
      else n += 3;
    }
    return n;
  };

  // ---- the private channel ---------------------------------------------------------------------
  const channel = new w.MessageChannel();
  const port = channel.port1;
  call(w.postMessage, w, { [HANDOVER_KEY]: PROTOCOL_VERSION }, '*', [channel.port2]);

  // The queue: an array of ours, read from `head`, emptied whole once read to the end. Consecutive
  // whole frames of one socket and direction wait in it as one run (`ws-frames`: an array of times,
  // one of payloads), which is also how they travel: the structured clone of a frame object writes
  // and rebuilds its named fields one by one on the page's thread, and a frame appended to a run
  // costs the page no object at all (issue 14).
  const queue = list();
  let head = 0;
  let tail = 0;
  /** Frames and events in the queue (a run counts its frames). */
  let queued = 0;
  /** The run at the queue's end, still taking frames (0: none; any other event closes it). */
  let open: Ev | 0 = 0;
  let timer = 0;
  const flushLater = safe(flush);
  let queueDropped = 0;
  let postLost = 0;
  let failures = 0;

  function flush(): void {
    timer = 0;
    const events: Ev[] = list();
    const transfer: ArrayBuffer[] = list();
    let ev: Ev;
    let n = 0;
    // At most BATCH_FRAMES frames and events (a run is never longer, so one always fits).
    while (head < tail && !(ev = queue[head]).w) {
      const k = ev.kind == 'ws-frames' ? ev.x.length : 1;
      if (n && n + k > BATCH_FRAMES) break;
      n += k;
      queued -= k;
      queue[head++] = 0;
      if (ev === open) open = 0;
      add(events, ev);
      if (k > 1 || ev.kind == 'ws-frames') for (let i = 0; i < k; i++) str(ev.x[i]) || add(transfer, ev.x[i]);
      else if (ev.bytes) add(transfer, ev.bytes);
    }
    if (head === tail) queue.length = head = tail = 0;
    if (queueDropped) {
      add(events, drop(queueDropped, 'hook queue full'));
      queueDropped = 0;
    }
    if (postLost) {
      add(events, drop(postLost, 'post failed'));
      postLost = 0;
    }
    if (!events.length) return;
    try {
      // Binary frames' buffers (our copies) are transferred. Measured in Chromium 156: the transfer
      // list, an array of ours, is read as an array; a page's patched Array iterator is not called.
      call(portPost, port, { __proto__: BARE, v: PROTOCOL_VERSION, type: 'batch', events }, transfer);
    } catch {
      // The batch is gone: counted (a drop it carried counts its own number), said in the next one.
      for (let i = 0; i < events.length; i++) postLost += events[i].kind == 'drops' ? events[i].droppedEvents : 1;
      failures++;
    }
    // A loss is reported even when nothing else comes (a bounded number of times, should posting keep failing).
    if (head < tail || (postLost && failures <= MAX_FAILURE_REPORTS)) schedule();
  }
  function schedule(): void {
    if (queued >= FLUSH_AT) flush();
    else if (!timer) timer = call(setT, w, flushLater, FLUSH_DELAY_MS);
  }
  function emit(ev: Ev): void {
    if (queued >= MAX_QUEUE) {
      queueDropped++;
      return;
    }
    queue[tail++] = ev;
    queued++;
    open = 0;
    schedule();
  }
  /** A whole frame of a Realtime socket (text, or our copy of its bytes): appended to the open run, or one it opens. */
  function frame(conn: string, dir: string, x: string | ArrayBuffer): void {
    if (queued >= MAX_QUEUE) {
      queueDropped++;
      return;
    }
    if (!open || open.conn != conn || open.dir != dir || open.x.length >= BATCH_FRAMES) {
      queue[tail++] = open = { __proto__: BARE, kind: 'ws-frames', conn, dir, t: list(), x: list() };
    }
    add(open.t, now());
    add(open.x, x);
    queued++;
    schedule();
  }
  function drop(count: number, reason: string): Ev {
    return { __proto__: BARE, kind: 'drops', droppedEvents: count, droppedBytes: 0, truncatedFrames: 0, reason, time: now() };
  }
  function fail(step: string, e: unknown): void {
    // Counted as a dropped event with its reason; never rethrown into the page.
    if (++failures <= MAX_FAILURE_REPORTS) {
      try {
        emit(drop(1, `capture failed (${step}): ${call(slice, message(e), 0, 200)}`));
      } catch {
        /* nothing more can be done without risking the page */
      }
    }
  }
  /** A socket or lifecycle event the page dispatched itself: refused, reported so the capture is marked. */
  const forged = (event: string) => emit({ __proto__: BARE, kind: 'forged', event, time: now() });

  /** Replaces obj[name] by a transparent Proxy that calls `after` once the native call returned. */
  function wrapAfter(obj: any, name: string, after: (self: any, args: any[], result: any) => void): void {
    const orig = obj[name];
    if (typeof orig !== 'function') return;
    const px = new P(orig, {
      apply: trap((t: Fn, self: unknown, args: any[]) => {
        const r = apply(t, self, args);
        try {
          after(self, args, r);
        } catch (e) {
          fail(name, e);
        }
        return r;
      }),
    });
    obj[name] = px;
    call(wmSet, masks, px, orig);
  }

  // `Function.prototype.toString` of a wrapper answers like the native it wraps.
  try {
    const tsProxy = new P(fnToString, {
      apply: trap((t: Fn, self: any, args: any[]) => apply(t, call(wmGet, masks, self) ?? self, args)),
    });
    w.Function.prototype.toString = tsProxy;
    call(wmSet, masks, tsProxy, fnToString);
  } catch (e) {
    fail('toString', e);
  }

  // ---- WebSocket --------------------------------------------------------------------------------
  const NativeWS = w.WebSocket;
  const sockets = new WM();
  /** sockets.get, bound once: the send path looks a socket up per frame without building an argument list. */
  const socketOf: (ws: unknown) => SocketState | undefined = call(fnBind, wmGet, sockets);
  let connCount = 0;
  let otherSockets = 0;

  if (typeof NativeWS === 'function') {
    const wsProto = NativeWS.prototype;
    const urlGet = getter(wsProto, 'url');
    const protocolGet = getter(wsProto, 'protocol');
    const extensionsGet = getter(wsProto, 'extensions');
    const stateOf = uncurry(getter(wsProto, 'readyState'));

    const record = (s: SocketState, ev: Ev) => {
      if (s.st === 1) emit(ev);
      else if (s.st === 0) add(s.q, ev);
    };
    const decide = (s: SocketState, st: 1 | 2) => {
      const pend = s.q;
      s.st = st;
      s.q = list();
      if (st === 1) for (let i = 0; i < pend.length; i++) emit(pend[i]);
      else emit({ __proto__: BARE, kind: 'other-sockets', count: ++otherSockets, time: now() });
    };
    const onFrame = (s: SocketState, dir: 'sent' | 'received', data: unknown) => {
      if (s.st === 2) return;
      const max = PAGE_LIMITS.maxFrameBytes;
      const preview = PAGE_LIMITS.framePreviewBytes;
      let ev: Ev;
      if (str(data)) {
        // The UTF-8 length is counted only for text that might exceed the cap, and only once.
        const big = data.length * 3 > max ? utf8Length(data) : 0;
        const cut = big > max;
        // The flood's path: a whole frame of a Realtime socket joins the open run (the content
        // script computes its exact UTF-8 size).
        if (!cut && s.st === 1) return frame(s.id, dir, data);
        ev = new (Frame as any)(s.id, dir, now(), 'text', cut ? big : data.length, cut ? call(slice, data, 0, preview) : data);
        if (cut) ev.truncated = true;
        if (s.st === 0) {
          s.n++;
          if (looksPhoenix(data, parse, call(charCode, data, 0), isArray)) {
            record(s, ev);
            return decide(s, 1);
          }
        }
      } else {
        // ArrayBuffer, typed array or DataView, told apart by brand checks (no instanceof).
        let buf: ArrayBuffer | undefined = data as ArrayBuffer;
        let off = 0;
        let len: number | undefined = brand(abLength, data);
        if (len === undefined) {
          const g = brand(taBuffer, data) === undefined ? dvGets : viewGets;
          buf = brand(g[0], data);
          off = brand(g[1], data);
          len = brand(g[2], data);
        }
        const size: number | undefined = buf === undefined ? brand(blobSize, data) : len;
        if (size === undefined) return;
        const cut = size > max;
        let bytes: ArrayBuffer | undefined;
        if (buf !== undefined) {
          // A copy (the page keeps its buffer, we transfer ours), by %TypedArray%#set: no species.
          const copy = new U8(cut ? preview : len);
          call(taSet, copy, new U8(buf, off, cut ? preview : len));
          bytes = call(taBuffer, copy);
          // A whole one joins the open run, as text does.
          if (!cut && s.st === 1) return frame(s.id, dir, bytes!);
        }
        ev = new (Frame as any)(s.id, dir, now(), 'binary', size);
        if (cut) ev.truncated = true;
        if (bytes) ev.bytes = bytes;
        else {
          ev.w = 1;
          const done = safe((bytes?: ArrayBuffer) => {
            ev.bytes = bytes || new AB(0);
            delete ev.w;
            schedule();
          });
          call(then, call(blobBytes, cut ? call(blobSlice, data, 0, preview) : data), done, (e: unknown) => (fail('ws', e), done()));
        }
        s.n++;
      }
      record(s, ev);
      if (s.st === 0 && s.n >= PHOENIX_SNIFF_FRAMES) decide(s, 2);
    };

    const track = (ws: any, args: any[]) => {
      const url: string = call(urlGet, ws);
      const s: SocketState = { __proto__: BARE, id: '' + ++connCount, st: pathIs(url, REALTIME_SOCKET_PATHS, endsWith) ? 1 : 0, q: list(), n: 0 } as any;
      call(wmSet, sockets, ws, s);
      const p = args[1];
      // The constructor iterated and converted them; we keep the string ones, running no page code.
      const protocols: string[] = list();
      if (str(p)) add(protocols, p);
      else if (isArray(p)) for (let i = 0; i < p.length; i++) if (str(own(p, i))) add(protocols, own(p, i));
      record(s, { __proto__: BARE, kind: 'ws-connecting', conn: s.id, url, protocols, time: now() });
      /** A listener of the socket's own events: those the page dispatched itself are refused. */
      const on = (type: string, fn: (e: Event) => void) => listen(ws, type, (e: Event) => (s.st === 2 ? 0 : e.isTrusted ? fn(e) : forged(type)));
      on('open', () =>
        record(s, { __proto__: BARE, kind: 'ws-open', conn: s.id, protocol: call(protocolGet, ws), extensions: call(extensionsGet, ws), time: now() }),
      );
      on('message', (e) => onFrame(s, 'received', dataOf(e)));
      on('error', () => record(s, { __proto__: BARE, kind: 'ws-error', conn: s.id, time: now() }));
      on('close', (e) => {
        record(s, {
          __proto__: BARE,
          kind: 'ws-close',
          conn: s.id,
          code: call(codeGet, e),
          reason: call(reasonGet, e),
          wasClean: call(cleanGet, e),
          initiator: s.bp ? 'page' : 'remote',
          time: now(),
        });
        if (s.st === 0) decide(s, 2);
      });
    };

    const WSProxy = new P(NativeWS, {
      construct: trap((target: Fn, args: any[], newTarget: Fn) => {
        // Native construction: same errors (SyntaxError for bad URLs), same prototype chain for
        // subclasses (newTarget), same object. Only listeners are added, before the page's own.
        const ws = construct(target, args, newTarget);
        try {
          track(ws, args);
        } catch (e) {
          fail('ws', e);
        }
        return ws;
      }),
    });
    call(wmSet, masks, WSProxy, NativeWS);
    // `ws.constructor === WebSocket` must keep holding.
    defineProp(wsProto, 'constructor', { value: WSProxy });
    w.WebSocket = WSProxy;

    wrapAfter(wsProto, 'send', (ws, args) => {
      const s = socketOf(ws);
      // A send that did not throw while OPEN went on the wire (CLOSING/CLOSED sends are discarded).
      if (s && stateOf(ws) === 1) onFrame(s, 'sent', args[0]);
    });
    wrapAfter(wsProto, 'close', (ws) => {
      const s = socketOf(ws);
      if (s) s.bp = true;
    });
  }

  // ---- HTTP (fetch, XMLHttpRequest) -------------------------------------------------------------
  let reqCount = 0;
  const supabase = (u: string) => pathIs(u, SUPABASE_HTTP_PATHS, includes);
  const absolute = (u: string): string => {
    try {
      return call(hrefGet, new URL_(u, w.location.href));
    } catch {
      return u;
    }
  };
  /** supabase-js's client identification: which client and version (issue 9 item 7). */
  const CI = 'x-client-info';
  /** The recorded headers of a Headers, a [name, value][] or a record, read as `own` reads, into `out`. */
  const pickHeaders = (h: any, out: Ev = { __proto__: BARE }): CapturedRequestHeaders => {
    const put = (k: unknown, v: unknown) => {
      if (str(k) && str(v) && ((k = call(lower, k)) === 'authorization' || k === 'apikey' || k === CI)) out[k as string] = v;
    };
    try {
      // Throws unless `h` is a real Headers (a brand check, no page code).
      put('apikey', call(headersGet, h, 'apikey'));
      put('authorization', call(headersGet, h, 'authorization'));
      put(CI, call(headersGet, h, CI));
    } catch {
      if (isArray(h)) for (let i = 0; i < h.length; i++) put(own(own(h, i), 0), own(own(h, i), 1));
      else if (h && typeof h == 'object') {
        const k = keys(h);
        for (let i = 0; i < k.length; i++) put(k[i], own(h, k[i]));
      }
    }
    return out as CapturedRequestHeaders;
  };
  /** What to read from a response body: the token grant, a capped error body, or nothing. */
  const bodyNeed = (url: string, status: number): 'grant' | 'error' | undefined => {
    const path = pathOf(url);
    if (call(endsWith, path, '/auth/v1/token') && status >= 200 && status < 300) return 'grant';
    if (status >= 400 && (call(includes, path, '/auth/v1/') || call(includes, path, '/realtime/v1/api'))) return 'error';
    return undefined;
  };
  /**
   * Emits the response once its body was read (or gave up), without delaying the page. The body is
   * a string, or (an XHR of responseType json) the object the browser parsed: read by own data
   * properties only, never re-serialised (a page's `Object.prototype.toJSON` would write it).
   */
  const respond = (ev: Ev, need: string | undefined, readBody: (got: Fn, gaveUp: Fn) => void) => {
    if (!need) return emit(ev);
    // The wait timer doubles as the "not sent yet" flag; cleared once the body was read, so
    // it does not keep the event (and the body read into it) alive for BODY_WAIT_MS.
    const send = safe(() => {
      if (wait) call(clearT, w, wait), (wait = 0), emit(ev);
    });
    let wait = call(setT, w, send, BODY_WAIT_MS);
    const onBody = safe((body: unknown) => {
      try {
        if (need === 'grant') {
          const j = str(body) ? parse(body) : body;
          const num = (k: string) => (typeof own(j, k) == 'number' ? own(j, k) : undefined);
          const token = own(j, 'access_token');
          // Never the refresh_token, never anything else of the body.
          ev.grant = { __proto__: BARE, access_token: str(token) ? token : undefined, expires_at: num('expires_at'), expires_in: num('expires_in') };
        } else if (str(body)) ev.errorBody = call(slice, body, 0, PAGE_LIMITS.maxErrorBody);
      } catch (e) {
        fail('body', e);
      }
      send();
    });
    try {
      readBody(onBody, send);
    } catch (e) {
      fail('body', e);
      send();
    }
  };

  const nativeFetch = w.fetch;
  if (typeof nativeFetch === 'function') {
    const reqProto = proto('Request');
    const reqUrlGet = getter(reqProto, 'url');
    const reqMethodGet = getter(reqProto, 'method');
    const reqHeadersGet = getter(reqProto, 'headers');
    const fetchProxy = new P(nativeFetch, {
      apply: trap((t: Fn, self: unknown, args: any[]) => {
        let req: Ev | undefined;
        try {
          // No destructuring: `args` is ours, but an array pattern would run the Array iterator.
          const input = args[0];
          const init = args[1];
          const url = urlOf(input) ?? brand(reqUrlGet, input);
          // Only Supabase-path requests are recorded: for any other URL `init` is never looked at.
          if (url && supabase(url)) {
            const m = own(init, 'method');
            const h = own(init, 'headers');
            req = { __proto__: BARE, id: '' + ++reqCount, url: absolute(url) };
            emit({
              __proto__: BARE,
              kind: 'http-request',
              req: req.id,
              method: call(upper, m === undefined ? (brand(reqMethodGet, input) ?? 'GET') : str(m) ? m : UNKNOWN),
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
          call(
            then,
            p,
            (res: Response) => {
              try {
                const status: number = call(statusGet, res);
                const ev: Ev = { __proto__: BARE, kind: 'http-response', req: r.id, status, time: now() };
                const need = call(typeGet, res) === 'opaque' ? undefined : bodyNeed(r.url, status);
                respond(ev, need, (got, gaveUp) => call(then, call(respText, call(respClone, res)), got, gaveUp));
              } catch (e) {
                fail('fetch', e);
              }
              ok(res);
            },
            (err: unknown) => {
              try {
                emit({ __proto__: BARE, kind: 'http-response', req: r.id, status: 0, networkError: message(err), time: now() });
              } catch (e) {
                fail('fetch', e);
              }
              no(err);
            },
          ),
        );
      }),
    });
    call(wmSet, masks, fetchProxy, nativeFetch);
    w.fetch = fetchProxy;
  }

  const XHR = w.XMLHttpRequest;
  if (typeof XHR === 'function') {
    const xp = XHR.prototype;
    const xhrs = new WM();
    const xhrStatusGet = getter(xp, 'status');
    const xhrTypeGet = getter(xp, 'responseType');
    const responseGet = getter(xp, 'response');
    wrapAfter(xp, 'open', (x, args) => {
      // open() converted both arguments already: strings and URL instances only, never toString.
      let url = urlOf(args[1]);
      const m = args[0];
      const st: XhrState | undefined =
        url && supabase((url = absolute(url))) ? ({ __proto__: BARE, method: str(m) ? call(upper, m) : UNKNOWN, url, headers: { __proto__: BARE } } as any) : undefined;
      call(wmSet, xhrs, x, st);
    });
    wrapAfter(xp, 'setRequestHeader', (x, args) => {
      const st: XhrState | undefined = call(wmGet, xhrs, x);
      if (st) pickHeaders([[args[0], args[1]]], st.headers as Ev);
    });
    wrapAfter(xp, 'send', (x) => {
      const st: XhrState | undefined = call(wmGet, xhrs, x);
      if (!st) return;
      const id = '' + ++reqCount;
      // setRequestHeader after send throws natively, so `st.headers` is final.
      emit({ __proto__: BARE, kind: 'http-request', req: id, method: st.method, url: st.url, headers: st.headers, api: 'xhr', time: now() });
      // Once per send: a reused XHR must not pile up listeners, nor report this request again when a
      // later one ends. A re-open() replaces `st` (and aborts this request without a loadend).
      const onEnd = safe(() => {
        if (call(wmGet, xhrs, x) !== st) return;
        const status: number = call(xhrStatusGet, x);
        const ev: Ev = { __proto__: BARE, kind: 'http-response', req: id, status, time: now() };
        if (status === 0) {
          ev.networkError = 'network error';
          return emit(ev);
        }
        const type: string = call(xhrTypeGet, x);
        respond(ev, type === '' || type === 'text' || type === 'json' ? bodyNeed(st.url, status) : undefined, (got) => got(call(responseGet, x)));
      });
      call(addEL, x, 'loadend', onEnd, { __proto__: BARE, capture: true, once: true });
    });
  }

  // ---- lifecycle that explains token expiry -----------------------------------------------------
  try {
    const doc = w.document;
    const lifecycle = (change: string, jumpMs?: number) => emit({ __proto__: BARE, kind: 'lifecycle', change, jumpMs, time: now() });
    /** Lifecycle events the page dispatched itself are refused like forged socket events. */
    const on = (target: unknown, type: string, fn: () => void) => listen(target, type, (e: Event) => (e.isTrusted ? fn() : forged(type)));
    if (doc) {
      on(doc, 'visibilitychange', () => lifecycle(call(visibilityGet, doc) === 'hidden' ? 'hidden' : 'visible'));
      on(doc, 'freeze', () => lifecycle('freeze'));
      on(doc, 'resume', () => lifecycle('resume'));
    }
    on(w, 'online', () => lifecycle('online'));
    on(w, 'offline', () => lifecycle('offline'));
    // Sleep shows as the wall clock moving against the monotonic clock.
    const drift = () => now() - call(perfNow, perf);
    let last = drift();
    call(
      setI,
      w,
      safe(() => {
        const d = drift();
        if (d - last > CLOCK_JUMP_MS || last - d > CLOCK_JUMP_MS) lifecycle('clock-jump', round(d - last));
        last = d;
      }),
      CLOCK_CHECK_MS,
    );
  } catch (e) {
    fail('lifecycle', e);
  }
}

/**
 * A text frame that speaks Phoenix: a V2 array with a string topic, or a V1 object (§1.2–1.3).
 * The hook passes the natives it captured and the first character code it read with them.
 */
export function looksPhoenix(text: string, parse: (s: string) => any = JSON.parse, c = text.charCodeAt(0), isArray = Array.isArray): boolean {
  if ((c !== 91 && c !== 123) || text.length > 65_536) return false; // '[' or '{'
  try {
    const m = parse(text);
    if (isArray(m)) return m.length === 5 && str(m[2]) && str(m[3]);
    return !!m && str(m.topic) && str(m.event) && 'ref' in m;
  } catch {
    return false;
  }
}

function str(x: unknown): x is string {
  return typeof x == 'string';
}
