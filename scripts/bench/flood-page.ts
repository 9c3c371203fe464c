// The flood page. It opens one Realtime-shaped socket (path /realtime/v1/websocket, apikey and
// vsn=2.0.0 in the query, like supabase-js), joins a channel, then on request:
//   inbound(n):  asks the server for n prepared frames and times, with performance.now(), from the
//                request to the n-th frame handled; each frame is handled as realtime-js 2.x does
//                (text: JSON.parse; binary kind 4: header, TextDecoder, JSON.parse of the payload);
//   outbound(n): encodes and sends n frames (text: JSON.stringify of a V2 array; 1 in 5 a binary
//                kind-3 user_broadcast_push built as realtime-js's encoder does) and times until the
//                server's acknowledgement of the n-th frame is handled.
// The page counts every frame it sent and received, so the ingest check knows what to expect.

/** The flood socket's apikey: an anon-shaped JWT (exp 2035), also used by the latency probe's socket. */
export const BENCH_ANON =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6ImJlbmNoYmVuY2hiZW5jaGJlbmNoIiwicm9sZSI6ImFub24iLCJpYXQiOjE3NjQwMDAwMDAsImV4cCI6MjA3OTYwMDAwMH0.c2lnbmF0dXJlLW5vdC1jaGVja2VkLWJ5LXRoZS1iZW5jaG1hcms';

export function floodPageHtml(): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>claimscope bench flood</title></head>
<body><p id="status">connecting</p>
<script>
(() => {
  const ANON = '${BENCH_ANON}';
  const BINARY_EVERY = ${5};
  const ws = new WebSocket('ws://' + location.host + '/realtime/v1/websocket?apikey=' + ANON + '&vsn=2.0.0');
  ws.binaryType = 'arraybuffer';
  const dec = new TextDecoder();
  const enc = new TextEncoder();
  let sentFrames = 0, receivedFrames = 0, ref = 1, checksum = 0;
  let onFrame = null;
  const send = (d) => { sentFrames++; ws.send(d); };
  const push = (topic, event, payload) => { const r = String(ref++); send(JSON.stringify(['1', r, topic, event, payload])); return r; };

  // realtime-js 2.x serializer: _binaryDecode handles kind 4 only.
  function decodeBinary(buf) {
    const view = new DataView(buf);
    if (view.getUint8(0) !== 4) return undefined;
    const topicSize = view.getUint8(1), eventSize = view.getUint8(2), metaSize = view.getUint8(3), encoding = view.getUint8(4);
    let off = 5;
    const topic = dec.decode(buf.slice(off, off + topicSize)); off += topicSize;
    const userEvent = dec.decode(buf.slice(off, off + eventSize)); off += eventSize;
    const metadata = metaSize > 0 ? JSON.parse(dec.decode(buf.slice(off, off + metaSize))) : {}; off += metaSize;
    const raw = buf.slice(off, buf.byteLength);
    const payload = encoding === 1 ? JSON.parse(dec.decode(raw)) : raw;
    const data = { type: 'broadcast', event: userEvent, payload };
    if (Object.keys(metadata).length) data.meta = metadata;
    return { join_ref: null, ref: null, topic, event: 'broadcast', payload: data };
  }
  // realtime-js 2.x serializer: _encodeUserBroadcastPush (kind 3), JSON payload, no metadata keys.
  function encodeKind3(joinRef, r, topic, userEvent, userPayload) {
    const parts = [enc.encode(joinRef), enc.encode(r), enc.encode(topic), enc.encode(userEvent), enc.encode(''), enc.encode(JSON.stringify(userPayload))];
    const header = [3, parts[0].length, parts[1].length, parts[2].length, parts[3].length, parts[4].length, 1];
    const out = new Uint8Array(header.length + parts.reduce((n, p) => n + p.length, 0));
    out.set(header, 0);
    let off = header.length;
    for (const p of parts) { out.set(p, off); off += p.length; }
    return out.buffer;
  }

  let joined;
  const ready = new Promise((resolve, reject) => { joined = resolve; ws.onerror = () => reject(new Error('socket error')); });
  ws.onopen = () => push('realtime:room-0', 'phx_join', { config: { broadcast: { ack: false, self: false }, presence: { key: '' }, postgres_changes: [], private: false } });
  ws.onmessage = (e) => {
    receivedFrames++;
    const msg = typeof e.data === 'string' ? JSON.parse(e.data) : decodeBinary(e.data);
    if (!msg) return;
    if (Array.isArray(msg)) {
      if (msg[3] === 'phx_reply' && msg[2] === 'realtime:room-0') { document.getElementById('status').textContent = 'joined'; joined(); return; }
      const p = msg[4] && msg[4].payload;
      if (p && typeof p.seq === 'number') checksum += p.seq;
    } else if (msg.payload && msg.payload.payload && typeof msg.payload.payload.seq === 'number') checksum += msg.payload.payload.seq;
    if (onFrame) onFrame(msg);
  };

  function inbound(n) {
    return new Promise((resolve) => {
      let count = 0;
      const t0 = performance.now();
      onFrame = () => {
        if (++count === n) { const ms = performance.now() - t0; onFrame = null; resolve({ ms, frames: n }); }
      };
      push('bench:ctl', 'flood_in', { n });
    });
  }
  function outbound(n) {
    return new Promise((resolve) => {
      const t0 = performance.now();
      let loopMs = 0;
      onFrame = (msg) => {
        if (Array.isArray(msg) && msg[3] === 'flood_out_done') { const ms = performance.now() - t0; onFrame = null; resolve({ ms, loopMs, frames: n }); }
      };
      push('bench:ctl', 'flood_out', { n });
      for (let i = 0; i < n; i++) {
        const payload = { seq: i, x: (i * 7) % 1280, y: (i * 13) % 800, user: 'user-' + String(i % 37).padStart(4, '0'), color: '#3ecf8e', ts: 1764000000000 + i,
          note: 'lorem ipsum dolor sit amet, consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna' };
        const r = String(ref++);
        if (i % BINARY_EVERY === BINARY_EVERY - 1) send(encodeKind3('1', r, 'realtime:room-' + (i % 5), 'cursor', payload));
        else send(JSON.stringify(['1', r, 'realtime:room-' + (i % 5), 'broadcast', { type: 'broadcast', event: 'cursor', payload }]));
      }
      loopMs = performance.now() - t0;
    });
  }
  window.bench = { ready, inbound, outbound, counts: () => ({ sent: sentFrames, received: receivedFrames, checksum }) };
})();
</script></body></html>`;
}
