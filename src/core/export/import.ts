// Reading a file back into captured events (issue 13 item 5, core part): a Claimscope session file
// (session-file.ts), or any HAR whose WebSocket entries carry `_webSocketMessages` — Chrome
// DevTools' "Save all as HAR" (frame times in seconds) and Playwright's `recordHar` (milliseconds)
// alike. The events go into a `Session` through `applyLocal` and are analysed at the recorded
// time (`openImported`), so a file analysed next month gives the same answer.
// Hostile input: a corrupt or foreign file gives one line saying what is wrong, never a throw.

import type { CapturedEvent, CapturedEventBody, CapturedRequestHeaders, PageLifecycle } from '../model';
import { isSupabaseHttpUrl } from '../model';
import { Session } from '../session';
import { frameBody } from '../session/devtools-merge';
import { harFromPlaywrightZip, isZip } from './har-zip';
import { parseHarSocket } from '../session/har-sockets';
import { validateAgainst } from './schema';
import { SESSION_FORMAT, SESSION_VERSION, type AnalysisSettings, type SessionFileV1 } from './session-file';

export interface ImportMeta {
  kind: 'session' | 'har';
  /** What made the file, in words ("Claimscope 0.4.0", "Chrome DevTools HAR", "Playwright HAR"). */
  producer: string;
  captureStart: number | null;
  captureEnd: number | null;
  /** The time to analyse at: the recorded analysis time, else the last event's time. */
  analyseAt: number;
  /** The file's JWT signatures were removed by redaction (signature checks cannot succeed). */
  signaturesRedacted: boolean;
  /** The file was written redacted by Claimscope (a session file, or a HAR Claimscope exported). */
  redacted: boolean;
  /** Things the reader should know (frames not in the file, entries skipped). */
  warnings: string[];
  /** Session files: the settings and environment as written. */
  settings?: AnalysisSettings;
  environment?: SessionFileV1['environment'];
}

export type ImportResult = { events: CapturedEvent[]; meta: ImportMeta } | { error: string };

/** Reads a session file or a HAR. Never throws. */
export function importFile(text: string): ImportResult {
  try {
    return read(text);
  } catch (err) {
    return { error: `could not read the file: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * Reads a file's bytes: a Playwright recordHar `.zip` (har-zip.ts puts its socket messages back
 * into the HAR), else the text of a session file or a HAR as importFile reads it. Never throws.
 */
export async function importBytes(bytes: Uint8Array): Promise<ImportResult> {
  try {
    if (isZip(bytes)) {
      const har = await harFromPlaywrightZip(bytes);
      if ('error' in har) return { error: har.error };
      const result = importFile(har.text);
      if ('error' in result) return result;
      return { events: result.events, meta: { ...result.meta, producer: `${result.meta.producer} (.zip)` } };
    }
    return importFile(new TextDecoder('utf-8').decode(bytes));
  } catch (err) {
    return { error: `could not read the file: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** A Session fed with the file's events and analysed at the recorded time. */
export async function openImported(imported: { events: CapturedEvent[]; meta: ImportMeta }, tabId = -1): Promise<Session> {
  const session = new Session({ tabId, maxEvents: Math.max(200_000, imported.events.length), maxBytes: Number.MAX_SAFE_INTEGER });
  session.applyLocal(imported.events);
  // A session file names its documents: the tokens their URLs hold are uses, as in the panel.
  if (imported.meta.environment?.documents) session.applyDocuments(imported.meta.environment.documents);
  await session.analyse(imported.meta.analyseAt);
  return session;
}

function read(text: string): ImportResult {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') return { error: 'the file is empty' };
  // eslint-disable-next-line no-control-regex
  if (/\u0000/.test(body.slice(0, 4096)) || (body.slice(0, 4096).match(/\uFFFD/g)?.length ?? 0) > 8) {
    if (body.startsWith('PK\u0003\u0004')) return { error: 'this is a zip archive read as text: open the file itself (Import, or claimscope analyze FILE.zip) to read a Playwright recordHar .zip' };
    return { error: 'this is binary data, not a session file, a HAR or a Playwright HAR .zip' };
  }
  const first = body.trimStart()[0];
  if (first !== '{') return { error: 'this is not a session file or a HAR: it does not start with a JSON object' };
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (endsOpen(body) || /end of (JSON )?input|Unexpected end/i.test(msg)) return { error: 'the file ends in the middle of its JSON: it was cut short (truncated download or copy?)' };
    return { error: `the file is not valid JSON (${msg.split('\n')[0]})` };
  }
  if (!isRecord(doc)) return { error: 'this is not a session file or a HAR: the JSON is not an object' };
  if (doc.format === SESSION_FORMAT) return readSessionFile(doc);
  if (isRecord(doc.log)) return readHar(doc.log);
  return { error: 'this JSON is neither a Claimscope session file (no "format": "claimscope-session") nor a HAR (no "log")' };
}

// ---- session files ---------------------------------------------------------------------------

function readSessionFile(doc: Record<string, unknown>): ImportResult {
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return { error: `the session file has no valid version (${JSON.stringify(version)})` };
  if (version > SESSION_VERSION) {
    return { error: `this session file is version ${version}; this Claimscope reads version ${SESSION_VERSION} and older: update Claimscope to open it` };
  }
  const problems = validateAgainst(doc);
  if (problems.length > 0) return { error: `the session file is damaged: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length === 2 ? '' : 's'})` : ''}` };
  const file = doc as unknown as SessionFileV1;
  const env = file.environment;
  const lastTime = file.events.reduce((m, e) => Math.max(m, e.time), -Infinity);
  const analyseAt = env.analysedAt ?? env.captureEnd ?? (Number.isFinite(lastTime) ? lastTime : Date.parse(file.exportedAt));
  const warnings: string[] = [];
  if (file.events.length === 0) warnings.push('the session file holds no captured events');
  return {
    events: file.events,
    meta: {
      kind: 'session',
      producer: `Claimscope ${file.producer.extensionVersion}`,
      captureStart: env.captureStart,
      captureEnd: env.captureEnd,
      analyseAt,
      signaturesRedacted: file.redaction.removed.jwtSignatures > 0,
      redacted: true,
      warnings,
      settings: file.analysisSettings,
      environment: env,
    },
  };
}

// ---- HAR -------------------------------------------------------------------------------------

const HAR_DOC = 'har';

function readHar(log: Record<string, unknown>): ImportResult {
  const entries = log.entries;
  if (!Array.isArray(entries)) return { error: 'this HAR has no "entries" list: nothing to import' };
  if (entries.length === 0) return { error: 'this HAR has no entries: it recorded no requests (record again with the page loaded and the network panel open)' };
  const creator = isRecord(log.creator) && typeof log.creator.name === 'string' ? log.creator.name : 'unknown tool';
  const warnings: string[] = [];
  const pending: Array<{ time: number; order: number; body: DistributiveOmit<CapturedEventBody, never> }> = [];
  let order = 0;
  const push = (time: number, body: DistributiveOmit<CapturedEventBody, never>) => pending.push({ time, order: order++, body });
  let sockets = 0;
  let calls = 0;
  let unreadable = 0;

  entries.forEach((entry, index) => {
    const parsed = parseHarSocket(secondsForMessages(entry));
    if (parsed.kind === 'unreadable') {
      unreadable++;
      if (warnings.length < 10) warnings.push(parsed.reason);
      return;
    }
    if (parsed.kind === 'socket') {
      const s = parsed.socket;
      const conn = `${HAR_DOC}:${++sockets}`;
      if (!s.framesVisible) warnings.push(`no frames for the socket ${shortUrl(s.url)}: this HAR keeps none (Firefox's HAR has no _webSocketMessages; in Playwright's .zip mode they are in a .jsonl beside the .har: import the .zip itself)`);
      if (s.unreadableMessages > 0) warnings.push(`${s.unreadableMessages} message(s) of ${shortUrl(s.url)} could not be read`);
      push(s.startedAt, { kind: 'ws-connecting', conn, url: s.url, protocols: [] });
      const date = headerOf(isRecord(entry) ? entry.response : undefined, 'date');
      if (s.status > 0 || date) push(s.startedAt, { kind: 'net', url: s.url, resourceType: 'websocket', method: 'GET', ...(s.status > 0 ? { status: s.status } : {}), ...(date ? { date } : {}) });
      if (s.status === 101) push(s.messages[0] ? Math.min(s.messages[0].time, s.startedAt + (s.durationMs ?? 0)) : s.startedAt, { kind: 'ws-open', conn, protocol: '', extensions: '' });
      for (const m of s.messages) push(m.time, frameBody(conn, m));
      const recorded = claimscopeClose(entry);
      if (recorded) {
        // A Claimscope HAR keeps the close code and reason (DevTools' own HAR has none).
        if (s.errored) push(s.errorAt ?? recorded.time, { kind: 'ws-error', conn });
        push(recorded.time, { kind: 'ws-close', conn, code: recorded.code, reason: recorded.reason, wasClean: recorded.wasClean, ...(recorded.initiator ? { initiator: recorded.initiator } : {}) });
      } else if (s.errored || s.status !== 101) {
        // A refused or failed upgrade is over: closed as the page saw it (1006), no reason recorded.
        const at = s.errorAt ?? s.startedAt + (s.durationMs ?? 0);
        if (s.errored) push(at, { kind: 'ws-error', conn });
        push(at, { kind: 'ws-close', conn, code: 1006, reason: '', wasClean: false });
      }
      return;
    }
    if (readHttp(entry, `${HAR_DOC}-${index + 1}`, push)) calls++;
  });

  const extra = isRecord(log._claimscope) ? log._claimscope : undefined;
  if (extra && Array.isArray(extra.lifecycle)) {
    for (const l of extra.lifecycle) {
      if (!isRecord(l) || typeof l.time !== 'number' || !Number.isFinite(l.time) || typeof l.change !== 'string') continue;
      // Every HAR event lands in one document: a page's pagehide would end the sockets of the
      // pages loaded after it. Those sockets' own closes are in the file, so these two are skipped.
      if (l.change === 'pagehide' || l.change === 'pageshow') continue;
      push(l.time, { kind: 'lifecycle', change: l.change as PageLifecycle['change'], ...(typeof l.persisted === 'boolean' ? { persisted: l.persisted } : {}), ...(typeof l.jumpMs === 'number' ? { jumpMs: l.jumpMs } : {}) });
    }
  }
  if (sockets === 0 && calls === 0) {
    return { error: `this HAR (${entries.length} entries${unreadable ? `, ${unreadable} unreadable` : ''}) has no WebSocket and no Supabase call: nothing for Claimscope to analyse` };
  }
  pending.sort((a, b) => a.time - b.time || a.order - b.order);
  const events = pending.map((p, i) => ({ ...p.body, seq: i + 1, time: p.time, docId: HAR_DOC, source: 'devtools' }) as CapturedEvent);
  const times = events.map((e) => e.time);
  const start = Math.min(...times);
  const end = Math.max(...times);
  const analysedAt = extra && typeof extra.analysedAt === 'number' && Number.isFinite(extra.analysedAt) ? extra.analysedAt : end;
  const removed = extra && isRecord(extra.redaction) && isRecord(extra.redaction.removed) ? extra.redaction.removed : undefined;
  const version = isRecord(log.creator) && typeof log.creator.version === 'string' ? ` ${log.creator.version}` : '';
  return {
    events,
    meta: {
      kind: 'har',
      producer: extra ? `${creator}${version} HAR` : `${creator} HAR`,
      captureStart: start,
      captureEnd: end,
      analyseAt: analysedAt,
      signaturesRedacted: typeof removed?.jwtSignatures === 'number' && removed.jwtSignatures > 0,
      redacted: extra !== undefined,
      warnings,
    },
  };
}

/** The close a Claimscope HAR recorded for a socket entry (`_claimscope.close`), when valid. */
function claimscopeClose(entry: unknown): { code: number; reason: string; wasClean: boolean; time: number; initiator?: 'page' | 'remote' } | undefined {
  if (!isRecord(entry) || !isRecord(entry._claimscope) || !isRecord(entry._claimscope.close)) return undefined;
  const c = entry._claimscope.close;
  if (typeof c.code !== 'number' || typeof c.time !== 'number' || !Number.isFinite(c.time)) return undefined;
  const initiator = c.initiator === 'page' || c.initiator === 'remote' ? c.initiator : undefined;
  return { code: c.code, reason: typeof c.reason === 'string' ? c.reason : '', wasClean: c.wasClean === true, time: c.time, ...(initiator ? { initiator } : {}) };
}

/** Playwright writes `_webSocketMessages[].time` in ms, DevTools in seconds: parseHarSocket reads seconds. */
function secondsForMessages(entry: unknown): unknown {
  if (!isRecord(entry) || !Array.isArray(entry._webSocketMessages)) return entry;
  const msgs = entry._webSocketMessages as unknown[];
  const inMs = msgs.some((m) => isRecord(m) && typeof m.time === 'number' && m.time > 1e11);
  if (!inMs) return entry;
  return { ...entry, _webSocketMessages: msgs.map((m) => (isRecord(m) && typeof m.time === 'number' ? { ...m, time: m.time / 1000 } : m)) };
}

/** A Supabase HTTP call as the hook records it: request with its auth headers, response with status, Date, grant, error body. */
function readHttp(entry: unknown, req: string, push: (time: number, body: DistributiveOmit<CapturedEventBody, never>) => void): boolean {
  if (!isRecord(entry) || !isRecord(entry.request) || typeof entry.request.url !== 'string') return false;
  const url = entry.request.url;
  if (!isSupabaseHttpUrl(url)) return false;
  const start = typeof entry.startedDateTime === 'string' ? Date.parse(entry.startedDateTime) : NaN;
  if (!Number.isFinite(start)) return false;
  const method = typeof entry.request.method === 'string' ? entry.request.method : 'GET';
  const headers: CapturedRequestHeaders = {};
  const authorization = headerOf(entry.request, 'authorization');
  const apikey = headerOf(entry.request, 'apikey');
  const clientInfo = headerOf(entry.request, 'x-client-info');
  if (authorization) headers.authorization = authorization;
  if (apikey) headers.apikey = apikey;
  if (clientInfo) headers['x-client-info'] = clientInfo;
  push(start, { kind: 'http-request', req, method, url, headers, api: 'fetch' });
  const response = isRecord(entry.response) ? entry.response : undefined;
  const status = response && typeof response.status === 'number' ? response.status : 0;
  const end = start + (typeof entry.time === 'number' && entry.time >= 0 ? entry.time : 0);
  if (status === 0) {
    const error = response && typeof response._error === 'string' ? response._error : 'no response recorded';
    push(end, { kind: 'http-response', req, status: 0, networkError: error });
    return true;
  }
  const body: { kind: 'http-response'; req: string; status: number; date?: string; grant?: { access_token?: string; expires_at?: number; expires_in?: number }; errorBody?: string } = { kind: 'http-response', req, status };
  const date = headerOf(response, 'date');
  if (date) body.date = date;
  const content = response && isRecord(response.content) && typeof response.content.text === 'string' ? contentText(response.content) : undefined;
  if (content !== undefined) {
    if (status >= 400) body.errorBody = content.slice(0, 4096);
    else if (/\/auth\/v1\/token\b/.test(url)) {
      try {
        const json: unknown = JSON.parse(content);
        if (isRecord(json) && typeof json.access_token === 'string') {
          // Only what the hook keeps (model.ts TokenGrant): never the refresh token.
          body.grant = { access_token: json.access_token };
          if (typeof json.expires_at === 'number') body.grant.expires_at = json.expires_at;
          if (typeof json.expires_in === 'number') body.grant.expires_in = json.expires_in;
        }
      } catch {
        // a token response that is not JSON carries no grant: nothing to record
      }
    }
  }
  push(end, body);
  return true;
}

function contentText(content: Record<string, unknown>): string | undefined {
  const text = content.text as string;
  if (content.encoding !== 'base64') return text;
  try {
    const latin1 = atob(text);
    return new TextDecoder().decode(Uint8Array.from(latin1, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

function headerOf(part: unknown, name: string): string | undefined {
  if (!isRecord(part) || !Array.isArray(part.headers)) return undefined;
  for (const h of part.headers) if (isRecord(h) && typeof h.name === 'string' && h.name.toLowerCase() === name && typeof h.value === 'string') return h.value;
  return undefined;
}

/** The JSON text stops inside a string or with brackets still open: it was cut, not written wrong. */
function endsOpen(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
  }
  return inString || depth > 0;
}

function shortUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?…`;
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
