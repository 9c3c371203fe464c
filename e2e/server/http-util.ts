// Small HTTP helpers shared by the Auth, REST and Realtime-REST handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Project } from './projects.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Length': 0, ...headers });
  res.end();
}

const MAX_BODY = 5_000_000;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export type JsonBody = { ok: true; value: unknown } | { ok: false; error: string };

export async function readJson(req: IncomingMessage): Promise<JsonBody> {
  const buf = await readBody(req);
  if (buf.length === 0) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(buf.toString('utf8')) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** `Authorization: Bearer x` (scheme case-insensitive) → x. */
export function bearer(req: IncomingMessage): string | undefined {
  const h = header(req, 'authorization');
  const m = h ? /^bearer\s+(.+)$/i.exec(h.trim()) : null;
  return m ? m[1].trim() : undefined;
}

export function apikeyOf(req: IncomingMessage, url: URL): string | undefined {
  return header(req, 'apikey') ?? url.searchParams.get('apikey') ?? undefined;
}

/**
 * The hosted gateway's key check in front of /auth/v1 and /rest/v1 (Kong key-auth): the apikey must
 * be one of the project's four keys. Bodies are Kong's (guess from memory of hosted answers).
 */
export function gatewayKeyCheck(req: IncomingMessage, url: URL, p: Project, res: ServerResponse): boolean {
  const key = apikeyOf(req, url);
  if (!key) {
    sendJson(res, 401, { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' });
    return false;
  }
  if (![p.anonKey, p.serviceRoleKey, p.publishableKey, p.secretKey].includes(key)) {
    sendJson(res, 401, { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' });
    return false;
  }
  return true;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The origin the client used: `iss` of user tokens is `<origin>/auth/v1` (§5.1). */
export function originOf(req: IncomingMessage): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}
