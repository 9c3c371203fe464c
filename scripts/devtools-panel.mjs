// `npm start` opens DevTools on the Claimscope panel, not on Elements (issue 11 item 8).
//
// Chromium is started with --remote-debugging-pipe (CDP over file descriptors 3 and 4: no port
// any other local process could connect to). Over it: find the demo page, open DevTools for it
// (Target.openDevTools; --auto-open-devtools-for-tabs may already have), then do what a person
// does — press Ctrl+] in DevTools to step to the next panel — until the panel's page is loaded
// in DevTools: DevTools creates an extension panel's frame only when the panel is shown, so the
// first time that frame exists the Claimscope panel is the one on screen. This is the route the
// e2e helpers use (e2e/support/panel-ui.ts selectClaimscopePanel; toolchain.md: 15/15 runs).
// Seeding DevTools' preferences was the other option, but an extension panel's id there is made
// at run time (extension-panel-<n>), so there is no stable value to seed.

export const PANEL_PAGE = 'src/panel/panel.html';

/** A CDP client over Chromium's pipe (messages are JSON, each followed by a NUL byte). */
export class PipeCdp {
  constructor(toBrowser, fromBrowser) {
    this.out = toBrowser;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Set();
    this.closed = false;
    let buffer = '';
    fromBrowser.setEncoding('utf8');
    fromBrowser.on('data', (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\0')) >= 0) {
        const text = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        let message;
        try {
          message = JSON.parse(text);
        } catch {
          continue;
        }
        if (message.id !== undefined && this.pending.has(message.id)) {
          const { resolve, reject } = this.pending.get(message.id);
          this.pending.delete(message.id);
          if (message.error) reject(new Error(`${message.error.message ?? 'CDP error'}`));
          else resolve(message.result ?? {});
        } else if (message.method) {
          for (const l of this.listeners) l(message);
        }
      }
    });
    const fail = () => {
      this.closed = true;
      for (const { reject } of this.pending.values()) reject(new Error('the browser closed the DevTools pipe'));
      this.pending.clear();
    };
    fromBrowser.on('close', fail);
    fromBrowser.on('error', fail);
    toBrowser.on('error', fail);
  }

  send(method, params = {}, sessionId) {
    if (this.closed) return Promise.reject(new Error('the browser closed the DevTools pipe'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.out.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  /** Stops listening so the script can exit with the browser (the pipe stays open for Chromium). */
  release() {
    this.listeners.clear();
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, fn, timeoutMs, stepMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await fn();
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(stepMs);
  }
}

/**
 * Opens DevTools on the page whose URL starts with `pageUrl` and selects the Claimscope panel.
 * Returns what it saw, for the script to report: `{ steps }` (how many Ctrl+] it took).
 */
export async function openClaimscopePanel(cdp, { pageUrl, timeoutMs = 30_000 }) {
  const targets = async () => (await cdp.send('Target.getTargets')).targetInfos;
  const page = await waitFor('the demo page', async () => (await targets()).find((t) => t.type === 'page' && t.url.startsWith(pageUrl)), timeoutMs);
  const devtoolsOf = async () => (await targets()).find((t) => t.url.startsWith('devtools://devtools/') && t.type === 'page');
  let devtools = await devtoolsOf();
  if (!devtools) {
    await cdp.send('Target.openDevTools', { targetId: page.targetId });
    devtools = await waitFor('the DevTools window', devtoolsOf, timeoutMs);
  }
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: devtools.targetId, flatten: true });
  await cdp.send('Runtime.enable', {}, sessionId);
  // DevTools is ready for shortcuts once its panel tabs are drawn (the Elements tab is first).
  const evaluate = async (expression) => (await cdp.send('Runtime.evaluate', { expression, returnByValue: true }, sessionId)).result?.value;
  await waitFor('the DevTools tabs', () => evaluate(`(() => { const find = (root) => root.querySelector('#tab-elements') || [...root.querySelectorAll('*')].some((e) => e.shadowRoot && find(e.shadowRoot)); return !!find(document); })()`), timeoutMs);
  const panelShown = async () => (await targets()).some((t) => t.url.includes(`/${PANEL_PAGE}`));
  let steps = 0;
  // The extension's devtools_page adds the panel a moment after DevTools loads: keep stepping.
  const deadline = Date.now() + timeoutMs;
  while (!(await panelShown())) {
    if (Date.now() > deadline) throw new Error(`the Claimscope panel did not appear after ${steps} steps with Ctrl+]`);
    const key = { key: ']', code: 'BracketRight', windowsVirtualKeyCode: 221, nativeVirtualKeyCode: 221, modifiers: 2 };
    await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...key }, sessionId);
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...key }, sessionId);
    steps++;
    await sleep(250);
  }
  await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => {});
  return { steps };
}
