// Playwright's recordHar in `.zip` mode (`recordHar: { path: 'x.zip' }`), read as one HAR.
// Measured with Playwright 1.65 on Chromium 156: the archive holds `har.har` and one file per
// response body; a WebSocket entry has NO `_webSocketMessages` — its `response.content._file` names
// a `<hash>.jsonl` in the archive with one message per line, `{"type","time","opcode","data"}`,
// times in milliseconds like the .har mode. The reader puts those lines back as the entry's
// `_webSocketMessages`, so the importer sees the HAR the .har mode would have written.
//
// Hostile input: only `har.har` and the .jsonl files it names are inflated, each capped, and a
// damaged archive gives one line. Inflating uses DecompressionStream('deflate-raw'), a web
// standard present in Chromium, Firefox and Node 20 alike (no DOM, no dependency).

/** A zip archive starts with a local file header. */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Bigger than this, one member is not a HAR of a test run (and may be a zip bomb). */
const MAX_MEMBER_BYTES = 512 * 1024 * 1024;

interface Member {
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The HAR text of a Playwright .zip, its socket messages put back; or one line saying what is wrong. */
export async function harFromPlaywrightZip(bytes: Uint8Array): Promise<{ text: string; inlined: number } | { error: string }> {
  const members = centralDirectory(bytes);
  if ('error' in members) return members;
  const harName = members.has('har.har') ? 'har.har' : [...members.keys()].find((n) => n.endsWith('.har') && !n.includes('/'));
  if (!harName) return { error: `this zip holds no .har (${members.size} file(s)): it is not a Playwright recordHar archive` };
  const harText = await memberText(bytes, members.get(harName)!, harName);
  if (typeof harText !== 'string') return harText;
  let doc: unknown;
  try {
    doc = JSON.parse(harText);
  } catch (err) {
    return { error: `${harName} in the zip is not valid JSON (${err instanceof Error ? err.message.split('\n')[0] : String(err)})` };
  }
  const entries = isRecord(doc) && isRecord(doc.log) && Array.isArray(doc.log.entries) ? (doc.log.entries as unknown[]) : undefined;
  if (!entries) return { text: harText, inlined: 0 };
  let inlined = 0;
  for (const entry of entries) {
    if (!isRecord(entry) || Array.isArray(entry._webSocketMessages)) continue;
    const file = isRecord(entry.response) && isRecord(entry.response.content) ? entry.response.content._file : undefined;
    if (typeof file !== 'string' || !file.endsWith('.jsonl')) continue;
    const member = members.get(file);
    if (!member) continue;
    const text = await memberText(bytes, member, file);
    if (typeof text !== 'string') return text;
    const messages: unknown[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        messages.push(JSON.parse(line));
      } catch {
        // one damaged line: the importer counts it as an unreadable message
        messages.push(null);
      }
    }
    entry._webSocketMessages = messages;
    inlined++;
  }
  return { text: JSON.stringify(doc), inlined };
}

function centralDirectory(bytes: Uint8Array): Map<string, Member> | { error: string } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record sits in the last 22 + 65535 bytes (after an optional comment).
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd === -1) return { error: 'this zip is damaged or cut short: its central directory is missing' };
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const members = new Map<string, Member>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) return { error: 'this zip is damaged: a central directory record is broken' };
    const nameLength = view.getUint16(at + 28, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    members.set(name, {
      method: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
    });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return members;
}

async function memberText(bytes: Uint8Array, m: Member, name: string): Promise<string | { error: string }> {
  if (m.size > MAX_MEMBER_BYTES) return { error: `${name} in the zip is ${m.size} bytes: too large to import` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (m.localOffset + 30 > bytes.length || view.getUint32(m.localOffset, true) !== 0x04034b50) return { error: `this zip is damaged: ${name} has no valid local header` };
  const start = m.localOffset + 30 + view.getUint16(m.localOffset + 26, true) + view.getUint16(m.localOffset + 28, true);
  const raw = bytes.subarray(start, start + m.compressedSize);
  if (raw.length !== m.compressedSize) return { error: `this zip is cut short inside ${name}` };
  let data: Uint8Array;
  if (m.method === 0) data = raw;
  else if (m.method === 8) {
    try {
      data = await inflateRaw(raw, m.size);
    } catch (err) {
      return { error: `${name} in the zip cannot be decompressed (${err instanceof Error ? err.message : String(err)})` };
    }
  } else return { error: `${name} in the zip uses compression method ${m.method}; Claimscope reads stored and deflated members` };
  return new TextDecoder('utf-8').decode(data);
}

async function inflateRaw(raw: Uint8Array, expected: number): Promise<Uint8Array> {
  const stream = new Blob([raw as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    // The size the directory announced, with room: a member inflating far past it is a bomb.
    if (total > Math.max(expected, 1) * 2 + 1024 || total > MAX_MEMBER_BYTES) {
      await reader.cancel();
      throw new Error('it inflates past the size the zip announces');
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
