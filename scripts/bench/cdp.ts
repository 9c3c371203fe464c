// A minimal Chrome DevTools Protocol client over one browser-level WebSocket (flat sessions).
// The benchmark drives Chromium with this instead of Playwright's page API: Playwright enables the
// Network domain on every page it drives, which slows a WebSocket-heavy page about 2.4× and hides
// the extension's cost (shared/toolchain.md). Every method sent is recorded, so a run can prove it
// never enabled Network (or any other event domain) on the timed page.

import WebSocket from 'ws';

type Handler = (params: any, sessionId: string | undefined) => void;

export class Cdp {
  /** Every method sent, with the session it went to ('' = the browser). */
  readonly sent: Array<{ method: string; sessionId: string }> = [];
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void; method: string }>();
  private readonly handlers = new Map<string, Set<Handler>>();
  private closed = false;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      let msg: any;
      try {
        msg = JSON.parse(String(data));
      } catch {
        return;
      }
      if (typeof msg.id === 'number') {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message ?? JSON.stringify(msg.error)}`));
        else p.resolve(msg.result);
      } else if (typeof msg.method === 'string') {
        for (const h of this.handlers.get(msg.method) ?? []) h(msg.params, msg.sessionId);
      }
    });
    ws.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values()) p.reject(new Error(`${p.method}: CDP connection closed`));
      this.pending.clear();
    });
  }

  static connect(url: string, timeoutMs = 15_000): Promise<Cdp> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
      const t = setTimeout(() => {
        ws.terminate();
        reject(new Error(`CDP: no connection to ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.once('open', () => {
        clearTimeout(t);
        resolve(new Cdp(ws));
      });
      ws.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
  }

  send<T = any>(method: string, params: object = {}, sessionId?: string, timeoutMs = 120_000): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`${method}: CDP connection closed`));
    const id = this.nextId++;
    this.sent.push({ method, sessionId: sessionId ?? '' });
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no CDP answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (v) => (clearTimeout(t), resolve(v)),
        reject: (e) => (clearTimeout(t), reject(e)),
      });
      this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  on(method: string, handler: Handler): () => void {
    let set = this.handlers.get(method);
    if (!set) this.handlers.set(method, (set = new Set()));
    set.add(handler);
    return () => set!.delete(handler);
  }

  /** Evaluates `expression` in a session's page (awaiting a promise) and returns its JSON value. */
  async evaluate<T = any>(sessionId: string, expression: string, timeoutMs = 120_000): Promise<T> {
    const r = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId, timeoutMs);
    if (r.exceptionDetails) {
      const d = r.exceptionDetails;
      throw new Error(`evaluate failed: ${d.exception?.description ?? d.text ?? JSON.stringify(d)}`);
    }
    return r.result?.value as T;
  }

  /** Domains enabled (`X.enable`) per session: the proof that the timed page ran without Network. */
  enabledDomains(): string[] {
    return [...new Set(this.sent.filter((s) => s.method.endsWith('.enable')).map((s) => `${s.method}${s.sessionId ? '' : ' (browser)'}`))];
  }

  close(): void {
    this.closed = true;
    try {
      this.ws.terminate();
    } catch {
      /* already gone */
    }
  }
}
