// The worker's own Realtime socket (vsn 2.0.0, raw Phoenix frames): a MAIN-world content script
// never runs here, so only chrome.devtools.network can show this socket to Claimscope.
'use strict';
var ws;
function report(kind, text) {
  postMessage({ kind: kind, text: text });
}
onmessage = function (ev) {
  var msg = ev.data;
  if (msg.type === 'close') {
    if (ws) ws.close(1000, 'worker done');
    return;
  }
  if (msg.type !== 'start') return;
  var topic = msg.topic;
  ws = new WebSocket(msg.url);
  ws.onopen = function () {
    report('open', '');
    ws.send(JSON.stringify(['1', '1', topic, 'phx_join', { config: { broadcast: { self: false }, presence: { key: '' }, postgres_changes: [], private: false } }]));
  };
  ws.onmessage = function (ev) {
    var text = String(ev.data);
    report('message', text);
    var frame;
    try {
      frame = JSON.parse(text);
    } catch (e) {
      return;
    }
    // After the join succeeds, one broadcast from the worker, so frames flow both ways.
    if (Array.isArray(frame) && frame[3] === 'phx_reply' && frame[1] === '1' && frame[4] && frame[4].status === 'ok') {
      report('subscribed', '');
      ws.send(JSON.stringify([null, '2', topic, 'broadcast', { type: 'broadcast', event: 'from-worker', payload: { n: 1 } }]));
    }
  };
  ws.onclose = function (ev) {
    report('close', ev.code + ' ' + ev.reason);
  };
  ws.onerror = function () {
    report('error', '');
  };
};
