// Playwright recordHar .zip mode (measured with Playwright 1.65: har.har plus one .jsonl per socket,
// named by the entry's response.content._file): imported like the .har mode, and damaged archives
// give one line.

import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { importBytes } from './import';

/** A minimal zip writer for the tests (stored or deflated members), as Playwright's archiver lays them out. */
function zip(files: Record<string, string>, deflate = true): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const body = deflate ? deflateRawSync(data) : data;
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, body);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + body.length;
  }
  const dir = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Object.keys(files).length, 8);
  eocd.writeUInt16LE(Object.keys(files).length, 10);
  eocd.writeUInt32LE(dir.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, dir, eocd]));
}

const t0 = Date.parse('2026-12-03T13:57:26.002Z');
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const expired = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'u', role: 'authenticated', aud: 'authenticated', exp: Math.floor(t0 / 1000) - 120, iss: 'http://127.0.0.1:1/auth/v1' })}.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU`;
const lines = [
  { type: 'send', time: t0 + 10.5, opcode: 1, data: JSON.stringify(['6', '6', 'realtime:room1', 'phx_join', { config: {}, access_token: expired }]) },
  { type: 'receive', time: t0 + 90.25, opcode: 1, data: JSON.stringify(['6', '6', 'realtime:room1', 'phx_reply', { status: 'error', response: { reason: 'InvalidJWTToken: Token has expired 120 seconds ago' } }]) },
];
const har = {
  log: {
    version: '1.2',
    creator: { name: 'Playwright', version: '1.65.1' },
    entries: [
      {
        startedDateTime: new Date(t0).toISOString(),
        time: 251.5,
        request: { method: 'GET', url: 'ws://127.0.0.1:1/realtime/v1/websocket?apikey=x&vsn=2.0.0', headers: [] },
        response: { status: 101, headers: [], content: { size: -1, mimeType: 'x-unknown', _file: 'bdf77db1f20b8ebcf45e07f20e817011.jsonl' } },
        _resourceType: 'websocket',
      },
    ],
  },
};
const files = { 'har.har': JSON.stringify(har), 'bdf77db1f20b8ebcf45e07f20e817011.jsonl': `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`, 'e757a5ac.html': '<html></html>' };

describe('Playwright recordHar .zip', () => {
  it.each([true, false])('deflated=%s: the socket frames come back from the .jsonl with their ms times', async (deflate) => {
    const result = await importBytes(zip(files, deflate));
    if ('error' in result) throw new Error(result.error);
    expect(result.meta.producer).toBe('Playwright HAR (.zip)');
    expect(result.meta.warnings).toEqual([]);
    const frames = result.events.filter((e) => e.kind === 'ws-frame');
    expect(frames.map((f) => f.time)).toEqual([Math.round(t0 + 10.5), Math.round(t0 + 90.25)]);
  });

  it('without the .jsonl the socket is imported with a warning naming the .zip mode', async () => {
    const result = await importBytes(zip({ 'har.har': files['har.har'] }));
    if ('error' in result) throw new Error(result.error);
    expect(result.meta.warnings.join()).toMatch(/no frames .*\.zip mode/);
  });

  it.each([
    ['cut short', () => zip(files).subarray(0, 200), /central directory is missing|cut short/],
    ['no .har inside', () => zip({ 'a.txt': 'x' }), /holds no \.har/],
    ['a damaged .har inside', () => zip({ 'har.har': '{"log":' }), /har\.har in the zip is not valid JSON/],
  ])('%s: one line', async (_name, make, message) => {
    const result = await importBytes(make());
    expect(result).toEqual({ error: expect.stringMatching(message) });
  });

  it('a member that inflates far past its announced size is refused (zip bomb)', async () => {
    const bytes = Buffer.from(zip({ 'har.har': ' '.repeat(1_000_000) }));
    // Announce 100 bytes where 1 MB inflates: the central directory's size field.
    const dir = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bytes.writeUInt32LE(100, dir + 24);
    const result = await importBytes(new Uint8Array(bytes));
    expect(result).toEqual({ error: expect.stringMatching(/inflates past the size the zip announces/) });
  });
});
