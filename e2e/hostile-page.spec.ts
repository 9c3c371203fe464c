// Issue 10 items 4–6: a hostile page against the real extension in Chromium.
//  - A page that patches Array.prototype.push, Object.prototype setters, JSON.parse,
//    MessagePort.prototype.postMessage, Date and the event getters after load, then dispatches
//    forged events: the panel shows exactly the frames that crossed the socket, nothing forged or
//    altered, and marks the document's capture as tampered. A zone.js-like page shows no mark.
//  - No chrome-extension:// URL in any stack or toString a page reads through a wrapped call.
//  - A page opened with an implicit-flow fragment: no refresh token and no token signature in any
//    view of the panel, in the status line, or in any message the content script sends.

import { expect, test } from '@playwright/test';
import { PORT_CONTENT } from '../src/messages';
import { openPanelTab } from './support/panel-ui';
import { startRawServer, v2Broadcast } from './support/raw-server';
import { useExtensionSuite } from './support/suite';

const suite = useExtensionSuite(startRawServer);

const VIEWS = ['frames', 'connections', 'channels', 'http', 'findings'] as const;

test('a page patching built-ins after load and forging events gets nothing into the panel, and its capture is marked', async () => {
  const page = await suite.browser.context.newPage();
  const socketP = suite.server.nextSocket('/realtime/v1/websocket');
  await page.goto(`${suite.server.origin}/patching.html`);
  const socket = await socketP;
  await expect.poll(() => socket.sent.length).toBe(1); // the join's ok reply
  await socket.send(v2Broadcast('realtime:patched', 'go', { go: 'go' }));
  await expect.poll(() => socket.received.length).toBe(2); // join + the broadcast sent after patching
  // Genuine traffic after the patches: a broadcast and a close with a reason.
  await socket.send(v2Broadcast('realtime:patched', 'genuine-after-patch', { n: 1 }));
  expect(await page.evaluate(() => (window as unknown as { __steps: string[] }).__steps)).toEqual(['patched']);

  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
  await ui.view('frames');
  // Exactly the frames that crossed the socket, both ways: no forged frame added, none lost.
  await expect(ui.frameRows()).toHaveCount(socket.received.length + socket.sent.length);
  await expect(ui.frameRows({ event: 'broadcast', dir: 'received', topic: 'realtime:patched' })).toHaveCount(2);
  await expect(ui.frameRows({ event: 'broadcast', dir: 'sent', topic: 'realtime:patched' })).toHaveCount(1);
  await expect(ui.frameRows({ topic: 'realtime:forged' })).toHaveCount(0);
  await ui.filter('genuine-after-patch');
  await expect(ui.frameRows({ event: 'broadcast' })).toHaveCount(1);
  await ui.filter('');
  for (const view of VIEWS) {
    await ui.view(view);
    const text = (await ui.root.locator('body').innerText()).replace(/dispatched .* itself/g, '');
    for (const bad of ['FORGED', 'ALTERED', 'realtime:forged', '1970']) expect(text, `${view} view`).not.toContain(bad);
  }
  // The socket is still open (the forged close was refused), and no "offline" was recorded.
  await ui.view('connections');
  await expect(ui.connections().getByTestId('connection-close')).toHaveCount(0);
  // The forged events were detected: message, close, offline.
  const mark = ui.root.getByTestId('capture-tampered');
  await expect(mark).toHaveCount(1);
  await expect(mark).toHaveAttribute('data-count', '3');
  await expect(mark).toContainText('tried to feed Claimscope events that did not come from the network');
  expect(await page.evaluate(() => (window as unknown as { __pageErrors: string[] }).__pageErrors)).toEqual([]);
  await ui.close();
  await page.close();
});

test('a page that patches built-ins the way zone.js and core-js do is captured normally, with no mark', async () => {
  const page = await suite.browser.context.newPage();
  const socketP = suite.server.nextSocket('/realtime/v1/websocket');
  await page.goto(`${suite.server.origin}/zone-like.html`);
  const socket = await socketP;
  await expect.poll(() => page.evaluate(() => (window as unknown as { __received: string[] }).__received)).toEqual(['phx_reply']);
  await socket.send(v2Broadcast('realtime:zoned', 'in-zone', { n: 1 }));
  await expect.poll(() => page.evaluate(() => (window as unknown as { __received: string[] }).__received.length)).toBe(2);
  await expect.poll(() => page.evaluate(() => (window as unknown as { __fetched?: number }).__fetched)).toBeDefined();
  // The patcher really ran (its zone wrapped the page's listeners and timer).
  expect(await page.evaluate(() => (window as unknown as { Zone: { runs: number } }).Zone.runs)).toBeGreaterThan(0);

  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
  await expect(ui.status()).toHaveAttribute('data-status', 'capturing');
  await ui.view('frames');
  await expect(ui.frameRows()).toHaveCount(socket.received.length + socket.sent.length);
  await expect(ui.frameRows({ event: 'broadcast', dir: 'received', topic: 'realtime:zoned' })).toHaveCount(1);
  await ui.view('http');
  await expect(ui.root.locator('body')).toContainText('/rest/v1/todos');
  await expect(ui.root.getByTestId('capture-tampered')).toHaveCount(0);
  await ui.close();
  await page.close();
});

test('no extension URL in any stack trace or toString a page reads from a wrapped WebSocket, fetch or XMLHttpRequest call', async () => {
  const page = await suite.browser.context.newPage();
  await page.goto(`${suite.server.origin}/raw-socket.html`);
  const seen = await page.evaluate(async () => {
    const stacks: string[] = [];
    const keep = (e: unknown) => stacks.push(String((e as Error)?.stack));
    const sync = (f: () => unknown) => {
      try {
        f();
        stacks.push('(did not throw)');
      } catch (e) {
        keep(e);
      }
    };
    const later = async (f: () => Promise<unknown>) => {
      try {
        await f();
        stacks.push('(did not reject)');
      } catch (e) {
        keep(e);
      }
    };
    const socket = '/realtime/v1/websocket';
    sync(() => new WebSocket('http://[bad' + socket));
    sync(() => new WebSocket('ws://127.0.0.1:1' + socket).send('while connecting'));
    sync(() => WebSocket.prototype.send.call({}, 'x'));
    sync(() => WebSocket.prototype.close.call({}));
    sync(() => Reflect.construct(WebSocket, []));
    sync(() => Function.prototype.toString.call({}));
    sync(() => new XMLHttpRequest().open('BAD METHOD', '/rest/v1/x'));
    sync(() => new XMLHttpRequest().send());
    sync(() => {
      const x = new XMLHttpRequest();
      x.open('GET', '/rest/v1/x');
      x.setRequestHeader('bad header', 'v');
    });
    // A promise-returning operation: WebIDL turns its "Illegal invocation" into a rejection.
    await later(() => fetch.call({}, '/rest/v1/x'));
    await later(() => fetch('http://127.0.0.1:1/rest/v1/x'));
    await later(() => fetch('/rest/v1/x', { method: 'GET', body: 'a body on a GET' }));
    await later(() => fetch('/auth/v1/token', { signal: AbortSignal.abort() }));
    // Page code the hook runs while reading a fetch's init: its own traps' stacks.
    await later(() =>
      fetch('/rest/v1/x', new Proxy({}, { getOwnPropertyDescriptor: () => (stacks.push(String(new Error('trap').stack)), undefined) })).then(() => {
        throw new Error('after');
      }),
    );
    const wrapped = [WebSocket, fetch, XMLHttpRequest.prototype.open, XMLHttpRequest.prototype.send, XMLHttpRequest.prototype.setRequestHeader, WebSocket.prototype.send, WebSocket.prototype.close, Function.prototype.toString];
    return { stacks, sources: wrapped.map((f) => Function.prototype.toString.call(f)) };
  });
  // Every probe produced its error (the test is real), and each wrapper reads as native code.
  expect(seen.stacks.filter((s) => s.startsWith('('))).toEqual([]);
  expect(seen.stacks.length).toBeGreaterThanOrEqual(15);
  for (const s of seen.sources) expect(s).toMatch(/^function \w+\(\) \{ \[native code\] \}$/);
  for (const s of [...seen.stacks, ...seen.sources]) {
    expect(s).not.toContain('chrome-extension://');
    expect(s).not.toContain('moz-extension://');
    expect(s).not.toContain(suite.browser.extensionId);
  }
  await page.close();
});

test('an implicit-flow sign-in URL: no refresh token nor token signature in the panel, the status line or any content-script message', async () => {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const header = b64({ alg: 'HS256', typ: 'JWT' });
  const claims = b64({ sub: 'user-1', role: 'authenticated', aud: 'authenticated', exp: 1_900_000_000 });
  const signature = 'S1gnatureThatMustNeverLeaveThePage_0123456789abcdefABC';
  const refresh = 'refreshTOKENsecret42';
  // A project key in the same URL: kept whole (a key the analysis may read), masked on screen.
  const keySignature = 'KeySignatureShownMaskedOnly_0123456789';
  const anonKey = `${header}.${b64({ role: 'anon', iss: 'supabase' })}.${keySignature}`;
  const fragment = `#access_token=${header}.${claims}.${signature}&expires_at=1900000000&expires_in=3600&refresh_token=${refresh}&token_type=bearer&type=magiclink&apikey=${anonKey}`;

  // Every message a content script sends on its port, as the service worker receives it.
  const sw = await suite.browser.currentServiceWorker();
  await sw.evaluate((portName) => {
    type Port = { name: string; onMessage: { addListener(f: (m: unknown) => void): void } };
    const g = globalThis as unknown as { __fromContent: string[]; chrome: { runtime: { onConnect: { addListener(f: (p: Port) => void): void } } } };
    g.__fromContent = [];
    g.chrome.runtime.onConnect.addListener((port) => {
      if (port.name === portName) port.onMessage.addListener((m: unknown) => g.__fromContent.push(JSON.stringify(m)));
    });
  }, PORT_CONTENT);

  const page = await suite.browser.context.newPage();
  const socketP = suite.server.nextSocket('/realtime/v1/websocket');
  await page.goto(`${suite.server.origin}/raw-socket.html${fragment}`);
  await socketP;
  await expect.poll(() => page.evaluate(() => window.__received.events)).toEqual(['phx_reply']);
  expect(await page.evaluate(() => location.hash)).toContain(refresh); // the page itself still has it

  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
  await expect(ui.status()).toHaveAttribute('data-status', 'capturing');
  // The status line names the page, scrubbed: the access token's claims stay readable, nothing else
  // (its scrubbed signature masked as such).
  await expect(ui.status()).toContainText(`#access_token=${header}.${claims}.…(signature not kept)`);
  await expect(ui.status()).toContainText('refresh_token=[redacted]');
  await expect(ui.status()).toContainText('apikey=');
  await expect(ui.status()).not.toContainText(keySignature);
  for (const view of VIEWS) {
    await ui.view(view);
    const text = await ui.root.locator('html').innerText();
    expect(text, `${view} view`).not.toContain(refresh);
    expect(text, `${view} view`).not.toContain(signature);
  }

  const fromContent = await sw.evaluate(() => (globalThis as unknown as { __fromContent: string[] }).__fromContent);
  expect(fromContent.some((m) => m.includes('"hello"') && m.includes('[redacted]'))).toBe(true);
  expect(fromContent.some((m) => m.includes('phx_join'))).toBe(true); // the capture itself went through
  for (const m of fromContent) {
    expect(m).not.toContain(refresh);
    expect(m).not.toContain(signature);
  }
  await ui.close();
  await page.close();
});
