// Test page for e2e/panel-devtools-network.spec.ts (served by the local server under /app/).
//
// Query parameters:
//   key=<apikey>        the apikey the worker's socket uses (required)
//   topic=<name>        the worker's channel (default "worker-room")
//   main=<apikey>       also open a socket on the MAIN thread (the hook sees this one) with this key,
//                       joining "main-room": a refused key (e.g. an expired token) gives a refused upgrade
//
// window.__workerSocket.events lists what the worker and the main-thread socket observed;
// window.__closeWorkerSocket() asks the worker to close its socket (code 1000).
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var wsOrigin = location.origin.replace(/^http/, 'ws');
  var state = { events: [] };
  window.__workerSocket = state;
  var log = document.getElementById('log');
  function record(source, kind, text) {
    state.events.push({ source: source, kind: kind, text: text });
    log.textContent += source + ' ' + kind + (text ? ' ' + text : '') + '\n';
  }

  function socketUrl(key) {
    return wsOrigin + '/realtime/v1/websocket?apikey=' + encodeURIComponent(key) + '&vsn=2.0.0';
  }

  var key = params.get('key');
  if (!key) {
    record('page', 'error', 'missing ?key=');
    return;
  }
  var worker = new Worker('worker.js');
  worker.onmessage = function (ev) {
    record('worker', ev.data.kind, ev.data.text);
  };
  worker.onerror = function (ev) {
    record('worker', 'error', String(ev.message));
  };
  worker.postMessage({ type: 'start', url: socketUrl(key), topic: 'realtime:' + (params.get('topic') || 'worker-room') });
  window.__closeWorkerSocket = function () {
    worker.postMessage({ type: 'close' });
  };

  var mainKey = params.get('main');
  if (mainKey) {
    var ws = new WebSocket(socketUrl(mainKey));
    ws.onopen = function () {
      record('main', 'open', '');
      ws.send(JSON.stringify(['1', '1', 'realtime:main-room', 'phx_join', { config: { broadcast: { self: false }, presence: { key: '' }, postgres_changes: [], private: false } }]));
    };
    ws.onmessage = function (ev) {
      record('main', 'message', String(ev.data));
    };
    ws.onclose = function (ev) {
      record('main', 'close', String(ev.code));
    };
  }
})();
