// Issue 12, the popup: quick decode (item 1), nothing leaves the machine (item 5) and this tab
// (item 3), on real Chromium with the built extension. The popup page is opened as an ordinary
// extension tab (chrome-extension://<id>/src/popup/popup.html); for the tab summary the tab to
// summarise is given as ?tabId=N (src/popup/target-tab.ts: the toolbar popup takes the active tab
// of its window, which is unit-tested; the popup's own tab never stands in). Tokens are minted at
// test time with jose (src/core/tokens/testing.ts); assertions read the documented data-testids
// (src/popup/main.tsx).

import { expect, test, type Locator, type Page, type Request } from '@playwright/test';
import { createClient } from '@supabase/supabase-js';
import { base64url, exportJWK, generateKeyPair } from 'jose';
import WebSocket from 'ws';
import { makeTestKeys, mint, REF, userClaims, type TestKeys } from '../src/core/tokens/testing';
import { appUrl, scenarioDone, startAppServer } from './support/app-server';
import { openPanelTab } from './support/panel-ui';
import { useExtensionSuite } from './support/suite';

const suite = useExtensionSuite(startAppServer);
const POPUP_PAGE = 'src/popup/popup.html';

let keys: TestKeys;
test.beforeAll(async () => {
  keys = await makeTestKeys();
});

interface Popup {
  page: Page;
  /** Every request the popup page made, from before its first load. */
  requests: Request[];
  /** Uncaught exceptions in the popup page. */
  errors: Error[];
  paste(text: string): Promise<void>;
  result(): Locator;
}

async function openPopup(query = ''): Promise<Popup> {
  const page = await suite.browser.context.newPage();
  const requests: Request[] = [];
  const errors: Error[] = [];
  page.on('request', (r) => requests.push(r));
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`chrome-extension://${suite.browser.extensionId}/${POPUP_PAGE}${query}`);
  await expect(page.getByTestId('popup')).toBeVisible();
  return {
    page,
    requests,
    errors,
    async paste(text: string) {
      await page.getByRole('textbox', { name: 'Paste a token' }).fill(text);
    },
    result: () => page.getByTestId('decode-result'),
  };
}

/** Requests that left the extension (anything but its own chrome-extension:// files). */
function outside(requests: Request[]): string[] {
  return requests.map((r) => r.url()).filter((u) => !u.startsWith(`chrome-extension://${suite.browser.extensionId}/`));
}

const nowSec = () => Math.floor(Date.now() / 1000);

async function findingCodes(popup: Popup): Promise<string[]> {
  return popup.result().locator('[data-testid="finding-row"]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.code ?? ''));
}

test('each token class is recognised, its claims shown with descriptions, the signature never shown', async () => {
  const popup = await openPopup();
  const t = nowSec();
  const cases: { name: string; token: string; tokenClass: string; form: string }[] = [
    { name: 'user', token: await mint(keys, { claims: userClaims(t) }), tokenClass: 'user-access-token', form: 'jwt' },
    { name: 'anonymous', token: await mint(keys, { claims: userClaims(t, { is_anonymous: true }) }), tokenClass: 'anonymous-user-token', form: 'jwt' },
    { name: 'anon key', token: await mint(keys, { claims: { iss: 'supabase', ref: REF, role: 'anon', iat: t, exp: t + 86_400 * 365 } }), tokenClass: 'legacy-anon-key', form: 'jwt' },
    {
      name: 'service-role key',
      token: await mint(keys, { claims: { iss: 'supabase', ref: REF, role: 'service_role', iat: t, exp: t + 86_400 * 365 } }),
      tokenClass: 'legacy-service-role-key',
      form: 'jwt',
    },
    { name: 'local dev key', token: await mint(keys, { claims: { iss: 'supabase-demo', role: 'anon', exp: t + 3600 } }), tokenClass: 'local-dev-key', form: 'jwt' },
    {
      name: 'third party',
      token: await mint(keys, { alg: 'ES256', claims: { iss: 'https://idp.example.com/', sub: 'user-1', aud: 'api', exp: t + 600, role: 'authenticated' } }),
      tokenClass: 'third-party-jwt',
      form: 'jwt',
    },
    { name: 'publishable', token: 'sb_publishable_' + 'A1b2C3d4E5f6G7h8I9j0Kx_abcdEF', tokenClass: 'publishable-key', form: 'opaque-key' },
    { name: 'secret', token: 'sb_secret_' + 'Z9y8X7w6V5u4T3s2R1q0Px_ghijKL', tokenClass: 'secret-key', form: 'opaque-key' },
    { name: 'garbage', token: 'definitely not a token', tokenClass: 'not-a-token', form: 'malformed' },
  ];
  for (const c of cases) {
    await popup.paste(c.token);
    await expect(popup.result(), c.name).toHaveAttribute('data-class', c.tokenClass);
    await expect(popup.result()).toHaveAttribute('data-form', c.form);
    const text = await popup.result().innerText();
    if (c.form === 'jwt') {
      // Never the signature, never the whole token.
      expect(text, c.name).not.toContain(c.token.split('.')[2]);
      expect(text).not.toContain(c.token);
      await expect(popup.result().getByTestId('predicted-connect')).toBeVisible();
      await expect(popup.result().getByTestId('predicted-join')).toBeVisible();
      await expect(popup.result().getByTestId('signature-status')).toHaveAttribute('data-status', 'unverified');
    }
    if (c.form === 'opaque-key') {
      expect(text, c.name).not.toContain(c.token);
      await expect(popup.result().getByTestId('opaque-note')).toBeVisible();
    }
  }
  expect(await findingCodesOf(popup, cases[3].token)).toContain('service-role-in-browser');
  expect(await findingCodesOf(popup, cases[7].token)).toContain('secret-key-in-browser');

  // The user token's claims, as a table with descriptions on hover and readable times.
  await popup.paste(cases[0].token);
  const claims = popup.result().getByTestId('claims-table');
  const names = () => claims.locator('[data-testid="field-row"]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.name));
  await expect.poll(names).toEqual(Object.keys(userClaims(t)));
  for (const claim of ['exp', 'iat', 'iss', 'aud', 'sub', 'role', 'session_id', 'aal', 'amr', 'is_anonymous', 'email', 'phone', 'app_metadata', 'user_metadata']) {
    await expect(claims.locator(`[data-name="${claim}"] th`), claim).toHaveAttribute('title', /\w/);
  }
  await expect(claims.locator('[data-name="exp"] [data-testid="field-time"]')).toContainText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(expires in (59 min|1 h)/);
  await expect(claims.locator('[data-name="iat"] [data-testid="field-time"]')).toContainText(/\((now|\d+ s ago)\)/);
  await expect(popup.result().getByTestId('header-table').locator('[data-name="alg"] th')).toHaveAttribute('title', /algorithm/);
  await expect(popup.result().getByTestId('token-exp')).toContainText('expires in');
  await expect(popup.result().getByTestId('predicted-join')).toHaveAttribute('data-accepted', 'true');
  await expect(popup.result().getByTestId('predicted-join')).toContainText('accepted (phx_reply ok)');
  await expect(popup.result().getByTestId('predicted-connect')).toContainText('accepted (HTTP 101)');
  await expect(popup.result().getByTestId('no-findings')).toBeVisible();
  expect(popup.errors).toEqual([]);
  await popup.page.close();
});

async function findingCodesOf(popup: Popup, token: string): Promise<string[]> {
  await popup.paste(token);
  await expect(popup.page.getByText('Decoding…')).toHaveCount(0);
  await expect(popup.result().locator('[data-testid="finding-row"]').first()).toBeVisible();
  return findingCodes(popup);
}

test('garbage gets one line saying what is wrong, never an exception; empty and whitespace-only input a hint', async () => {
  const popup = await openPopup();
  await expect(popup.page.getByTestId('decode-hint')).toHaveAttribute('data-state', 'empty');
  await popup.paste('   \n\t  ');
  await expect(popup.page.getByTestId('decode-hint')).toHaveAttribute('data-state', 'whitespace');
  await expect(popup.result()).toHaveCount(0);
  await popup.paste('');
  await expect(popup.page.getByTestId('decode-hint')).toHaveAttribute('data-state', 'empty');

  const enc = (v: unknown) => base64url.encode(JSON.stringify(v));
  const header = enc({ alg: 'HS256', typ: 'JWT' });
  const cases: { input: string; segment: string; text: RegExp }[] = [
    { input: 'hello world', segment: 'token', text: /^Not a JWT: a JWT has 3 dot-separated segments; this has 1$/ },
    { input: `${header}.${enc({ role: 'anon' })}`, segment: 'token', text: /this has 2$/ },
    { input: `${header}.ab$c.sig`, segment: 'claims', text: /claims segment is not base64url \(contains "\$"\)/ },
    { input: `${header}.${enc([1, 2])}.sig`, segment: 'claims', text: /claims segment is JSON but not an object \(array\)/ },
    { input: `${base64url.encode('not json')}.${enc({})}.sig`, segment: 'header', text: /header segment is not JSON/ },
    { input: `${header}..sig`, segment: 'claims', text: /claims segment is empty/ },
    { input: `${header}.${enc({ role: 'anon', exp: 1 })}.si+g`, segment: 'signature', text: /^Broken signature: the signature segment is not valid base64url$/ },
    { input: '<img src=x onerror=alert(1)>.<b>.x', segment: 'header', text: /header segment is not base64url/ },
  ];
  for (const c of cases) {
    await popup.paste(c.input);
    const problem = popup.result().getByTestId('token-problem');
    await expect(problem, c.input).toHaveAttribute('data-segment', c.segment);
    await expect(problem).toHaveText(c.text);
  }
  // Hostile input is text, not markup.
  await popup.paste('<img src=x onerror=alert(1)>');
  await expect(popup.result()).toHaveAttribute('data-class', 'not-a-token');
  expect(await popup.page.locator('img').count()).toBe(0);
  await expect(popup.result().locator('[data-testid="finding-row"][data-code="token-malformed"]')).toHaveAttribute('data-severity', 'error');
  expect(popup.errors).toEqual([]);
  await popup.page.close();
});

test('Bearer prefix, a token broken across lines, quoted or URL-encoded: cleaned and said so', async () => {
  const popup = await openPopup();
  const token = await mint(keys, { claims: userClaims(nowSec()) });
  const broken = token.match(/.{1,40}/g)!.join('\n  ');
  const cases: { input: string; note: RegExp }[] = [
    { input: `Bearer ${token}`, note: /Bearer/ },
    { input: `bearer   ${token}\n`, note: /Bearer/ },
    { input: broken, note: /line breaks/ },
    { input: `"${token}"`, note: /quotes/ },
    { input: `"Bearer ${token}"`, note: /Bearer/ },
    { input: `'${broken}'`, note: /line breaks/ },
    { input: encodeURIComponent(token).replace(/\./g, '%2E'), note: /URL-decoded/ },
  ];
  for (const c of cases) {
    await popup.paste(c.input);
    await expect(popup.result(), c.input.slice(0, 20)).toHaveAttribute('data-class', 'user-access-token');
    await expect(popup.result().getByTestId('token-problem')).toHaveCount(0);
    await expect(popup.result().getByTestId('clean-note').filter({ hasText: c.note })).toHaveCount(1);
    await expect(popup.result().getByTestId('predicted-join')).toHaveAttribute('data-accepted', 'true');
  }
  await popup.page.close();
});

test("an expired token: a live countdown, finding rows with codes and fixes, the server's words", async () => {
  const popup = await openPopup();
  const t = nowSec();
  await popup.paste(await mint(keys, { claims: userClaims(t - 3720, { exp: t - 120 }) }));
  const exp = popup.result().getByTestId('token-exp');
  await expect(exp).toContainText(/expired 2 min( \d+ s)? ago/);
  const first = Number(await exp.getAttribute('data-seconds-left'));
  expect(first).toBeLessThanOrEqual(-120);
  // Live: the countdown moves without new input.
  await expect.poll(async () => Number(await exp.getAttribute('data-seconds-left')), { timeout: 5_000 }).toBeLessThan(first);

  const row = popup.result().locator('[data-testid="finding-row"][data-code="token-expired"]');
  await expect(row).toHaveAttribute('data-severity', 'error');
  await expect(row).toContainText('Cause:');
  await expect(row).toContainText('Fix:');
  const join = popup.result().getByTestId('predicted-join');
  await expect(join).toHaveAttribute('data-accepted', 'false');
  await expect(join).toHaveAttribute('data-reason', /^InvalidJWTToken: Token has expired \d+ seconds ago$/);
  await expect(join).toContainText(/refused: “InvalidJWTToken: Token has expired \d+ seconds ago”/);
  await expect(join.getByTestId('verdict-conditional')).toContainText('conditional: signature not verified (no key supplied)');
  await expect(popup.result().getByTestId('predicted-connect')).toHaveAttribute('data-accepted', 'false');

  // A token without role: role-missing, and Realtime's refusal.
  const { role: _role, ...noRole } = userClaims(t);
  await popup.paste(await mint(keys, { claims: noRole }));
  await expect(popup.result().locator('[data-testid="finding-row"][data-code="role-missing"]')).toHaveAttribute('data-severity', 'error');
  await expect(popup.result().getByTestId('token-role')).toHaveText('role (absent)');
  await expect(popup.result().getByTestId('predicted-join')).toHaveAttribute('data-accepted', 'false');
  await popup.page.close();
});

test('nothing leaves the machine: no request while decoding; a deliberate fetch is seen by the same observer and blocked by the CSP', async () => {
  const popup = await openPopup();
  const t = nowSec();
  for (const token of [
    await mint(keys, { claims: userClaims(t) }),
    await mint(keys, { alg: 'RS256', claims: userClaims(t - 7200, { exp: t - 5 }) }),
    `Bearer ${await mint(keys, { alg: 'ES256', claims: { iss: `https://${REF}.supabase.co/auth/v1`, role: 'anon', ref: REF } })}`,
    'sb_publishable_abcdefghijklmnopqrstuvwx',
    'garbage',
  ]) {
    await popup.paste(token);
    await expect(popup.result()).toBeVisible();
  }
  await popup.page.getByTestId('paste-box').fill('');
  await expect(popup.page.getByTestId('decode-hint')).toBeVisible();
  // The page loaded its own files (the observer sees this page's requests) and nothing else.
  expect(popup.requests.length).toBeGreaterThan(0);
  expect(outside(popup.requests)).toEqual([]);

  const policy = await popup.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(policy).toContain("connect-src 'none'");

  const target = `${suite.server.url}/__popup-probe?n=1`;
  const violations: string[] = [];
  await popup.page.exposeFunction('__reportViolation', (uri: string) => violations.push(uri));
  await popup.page.evaluate(() =>
    document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { __reportViolation(u: string): void }).__reportViolation(`${e.violatedDirective} ${e.blockedURI}`)),
  );
  const deliberateFetch = (url: string) => fetch(url).then((r) => `status ${r.status}`, (e: Error) => `blocked: ${e.message}`);
  expect(await popup.page.evaluate(deliberateFetch, target)).toMatch(/^blocked: /);
  await expect.poll(() => violations).toEqual([`connect-src ${target}`]);
  expect(outside(popup.requests)).toEqual([]);

  // The observer is not blind to this page: with the page's CSP bypassed (CDP Page.setBypassCSP,
  // then a reload), the same deliberate fetch is a request it sees.
  const cdp = await suite.browser.context.newCDPSession(popup.page);
  await cdp.send('Page.setBypassCSP', { enabled: true });
  await popup.page.reload();
  await expect(popup.page.getByTestId('popup')).toBeVisible();
  expect(await popup.page.evaluate(deliberateFetch, target)).toMatch(/^(status \d+|blocked: .*)$/);
  await expect.poll(() => outside(popup.requests)).toEqual([target]);
  await cdp.detach();
  await popup.page.close();
});

test('this tab: the summary of a real supabase-js session on another tab, its tokens one click from the decode, the full panel', async () => {
  const app = await suite.browser.context.newPage();
  await app.goto(appUrl(suite.server, { scenario: 'expired-token' }));
  await scenarioDone(app, 'expired-token');
  const tabId = await suite.browser.tabIdOf(app);

  const popup = await openPopup(`?tabId=${tabId}`);
  const summary = popup.page.getByTestId('tab-summary');
  await expect(summary).toHaveAttribute('data-tab-id', String(tabId));
  await expect(summary.getByTestId('capture-status')).toHaveAttribute('data-status', 'capturing');
  await expect(summary).toHaveAttribute('data-analysis', 'done');
  expect(Number(await summary.getByTestId('tab-sockets').getAttribute('data-count'))).toBeGreaterThanOrEqual(1);
  expect(Number(await summary.getByTestId('tab-channels').getAttribute('data-count'))).toBeGreaterThanOrEqual(1);
  await expect.poll(async () => Number(await summary.getByTestId('tab-errors').getAttribute('data-count'))).toBeGreaterThanOrEqual(2);
  await expect(summary.getByTestId('tab-top-finding')).toHaveAttribute('data-severity', 'error');
  expect(['token-expired', 'server-join-rejected']).toContain(await summary.getByTestId('tab-top-finding').getAttribute('data-code'));

  // One click on the user's token decodes it, without putting it in the box.
  const user = summary.locator('[data-testid="tab-token"][data-class="user-access-token"]');
  await expect(user).toHaveCount(1);
  await user.click();
  await expect(popup.page.getByTestId('picked-token')).toBeVisible();
  await expect(popup.page.getByTestId('paste-box')).toHaveValue('');
  await expect(popup.result()).toHaveAttribute('data-class', 'user-access-token');
  await expect(popup.result().locator('[data-testid="finding-row"][data-code="token-expired"]')).toHaveCount(1);
  await expect(popup.result().getByTestId('token-exp')).toContainText(/expired/);

  // The full panel, as a tab, for that tab id.
  const [panel] = await Promise.all([suite.browser.context.waitForEvent('page'), summary.getByTestId('open-panel').click()]);
  await panel.waitForLoadState();
  expect(panel.url()).toBe(`chrome-extension://${suite.browser.extensionId}/src/panel/panel.html?tabId=${tabId}`);
  await expect(panel.getByTestId('capture-status')).toHaveAttribute('data-status', 'capturing');

  // Open in a tab keeps the tab id.
  const [inTab] = await Promise.all([suite.browser.context.waitForEvent('page'), popup.page.getByTestId('open-in-tab').click()]);
  await inTab.waitForLoadState();
  expect(inTab.url()).toBe(`chrome-extension://${suite.browser.extensionId}/${POPUP_PAGE}?tabId=${tabId}`);
  await expect(inTab.getByTestId('tab-summary')).toHaveAttribute('data-tab-id', String(tabId));
  expect(outside(popup.requests)).toEqual([]);
  for (const p of [inTab, panel, popup.page, app]) await p.close();
});

test('opened as a tab with no tab id, the popup does not summarise its own tab', async () => {
  const popup = await openPopup();
  await expect(popup.page.getByTestId('tab-summary')).toHaveAttribute('data-tab-id', '');
  await expect(popup.page.getByTestId('no-tab')).toContainText('its own tab');
  await popup.page.close();
});

// ---- Verify (item 2), Fix it (item 4), light/dark and keyboard (item 7) --------------------------

async function useKey(popup: Popup, key: string, encoding: 'text' | 'base64' = 'text'): Promise<void> {
  await popup.page.getByTestId('key-encoding').selectOption(encoding);
  await popup.page.getByTestId('key-input').fill(key);
  await popup.page.getByTestId('key-apply').click();
  await expect(popup.page.getByTestId('key-input')).toHaveValue('');
}

async function forgetKeys(popup: Popup): Promise<void> {
  await popup.page.getByTestId('keys-forget').click();
  await expect(popup.page.getByTestId('keys-box')).toHaveAttribute('data-secret', 'no');
  await expect(popup.page.getByTestId('keys-box')).toHaveAttribute('data-jwks', 'no');
}

/** The extension's storage areas, read from an extension page. */
async function storageAreas(page: Page): Promise<{ session: Record<string, unknown>; local: Record<string, unknown> }> {
  return page.evaluate(async () => {
    type Area = { get(keys: null): Promise<Record<string, unknown>> };
    const storage = (globalThis as unknown as { chrome: { storage: { session: Area; local: Area } } }).chrome.storage;
    return { session: await storage.session.get(null), local: await storage.local.get(null) };
  });
}

function signature(popup: Popup): Locator {
  return popup.result().getByTestId('signature-status');
}

test('verify: a secret as text or base64 and a JWKS check the signature here, valid and invalid; kept in memory only', async () => {
  const popup = await openPopup();
  const t = nowSec();
  const hs = await mint(keys, { claims: userClaims(t) });
  await popup.paste(hs);
  await expect(signature(popup)).toHaveAttribute('data-status', 'unverified');
  await expect(popup.result().getByTestId('predicted-join').getByTestId('verdict-conditional')).toBeVisible();

  await useKey(popup, keys.secretText);
  await expect(signature(popup)).toHaveAttribute('data-status', 'valid');
  await expect(signature(popup)).toContainText('verified with the supplied secret');
  await expect(popup.result().getByTestId('predicted-join').getByTestId('verdict-conditional')).toHaveCount(0);
  await expect(popup.page.getByTestId('keys-status')).toContainText("in this page’s memory only");
  // Not remembered: nothing in any storage area.
  expect(await storageAreas(popup.page)).toEqual({ session: {}, local: {} });

  // The same secret as base64 (as some dashboards show it).
  await forgetKeys(popup);
  await expect(signature(popup)).toHaveAttribute('data-status', 'unverified');
  await useKey(popup, Buffer.from(keys.secretText).toString('base64'), 'base64');
  await expect(signature(popup)).toHaveAttribute('data-status', 'valid');

  // A wrong secret: invalid, with the finding and the server's refusal.
  await forgetKeys(popup);
  await useKey(popup, 'not-the-project-secret-not-the-project-secret');
  await expect(signature(popup)).toHaveAttribute('data-status', 'invalid');
  await expect(popup.result().locator('[data-testid="finding-row"][data-code="signature-invalid"]')).toHaveCount(1);
  await expect(popup.result().getByTestId('predicted-join')).toHaveAttribute('data-reason', /signature/i);

  // Bad key input: one line, the keys held are unchanged.
  await popup.page.getByTestId('key-input').fill('{"keys":[{"x":1}]}');
  await popup.page.getByTestId('key-input').press('Enter');
  await expect(popup.page.getByTestId('keys-error')).toHaveText('That looks like JSON, but key #1 of the JWKS has no "kty".');
  await expect(signature(popup)).toHaveAttribute('data-status', 'invalid');

  // A JWKS: an ES256 token with kid ec-1 verifies with the JWKS; with another key under that kid it does not.
  await forgetKeys(popup);
  await popup.paste(await mint(keys, { alg: 'ES256', claims: userClaims(t) }));
  await expect(signature(popup)).toHaveAttribute('data-status', 'unverified');
  await useKey(popup, JSON.stringify(keys.jwks));
  await expect(popup.page.getByTestId('keys-error')).toHaveCount(0);
  await expect(signature(popup)).toHaveAttribute('data-status', 'valid');
  await expect(signature(popup)).toContainText('verified with the JWK "ec-1"');
  await forgetKeys(popup);
  const other = await generateKeyPair('ES256', { extractable: true });
  await useKey(popup, JSON.stringify({ keys: [{ ...(await exportJWK(other.publicKey)), kid: 'ec-1', alg: 'ES256' }] }));
  await expect(signature(popup)).toHaveAttribute('data-status', 'invalid');
  await expect(popup.result().locator('[data-testid="finding-row"][data-code="signature-invalid"]')).toHaveCount(1);
  // A single private JWK is read as a JWKS, and verifies through its public half.
  await forgetKeys(popup);
  const ecPrivate = { ...(await exportJWK(keys.ec.privateKey)), kid: 'ec-1', alg: 'ES256' };
  await useKey(popup, JSON.stringify(ecPrivate));
  await expect(signature(popup)).toHaveAttribute('data-status', 'valid');
  await expect(popup.page.getByTestId('keys-status')).toContainText('1 private');

  expect(await storageAreas(popup.page)).toEqual({ session: {}, local: {} });
  expect(outside(popup.requests)).toEqual([]);
  expect(popup.errors).toEqual([]);
  await popup.page.close();
});

test('a secret remembered in the popup verifies the same token in the panel (storage.session only, never storage.local)', async () => {
  const app = await suite.browser.context.newPage();
  await app.goto(appUrl(suite.server, { scenario: 'expired-token' }));
  await scenarioDone(app, 'expired-token');
  const tabId = await suite.browser.tabIdOf(app);
  const project = suite.server.server.defaultProject;

  // The panel, open before any key: the page's anon key (HS256, the project's JWT secret) is judged conditionally.
  const panel = await openPanelTab(suite.browser, tabId);
  await panel.root.getByTestId('view-tokens').click();
  const anonRow = panel.root.locator('[data-testid="token-row"][data-class="legacy-anon-key"]');
  await expect(anonRow).toHaveCount(1);
  await expect(anonRow.getByTestId('predicted-connect').getByTestId('verdict-conditional')).toBeVisible();
  await expect(panel.root.getByTestId('project-keys')).toHaveAttribute('data-secret', 'no');

  const popup = await openPopup(`?tabId=${tabId}`);
  await popup.paste(project.anonKey);
  await useKey(popup, project.jwtSecret);
  await expect(signature(popup)).toHaveAttribute('data-status', 'valid');
  // Only in this page's memory so far: the panel does not have it.
  await expect(panel.root.getByTestId('project-keys')).toHaveAttribute('data-secret', 'no');
  await popup.page.getByTestId('keys-remember').check();
  await expect(popup.page.getByTestId('keys-box')).toHaveAttribute('data-remember', 'true');
  const areas = await storageAreas(popup.page);
  expect(Object.keys(areas.session)).toEqual(['claimscope.keys']);
  expect(areas.local).toEqual({});

  // The open panel picks it up, and verifies the same token with it.
  await expect(panel.root.getByTestId('project-keys')).toHaveAttribute('data-secret', 'yes');
  await expect(panel.root.getByTestId('keys-remember')).toBeChecked();
  await expect(anonRow.getByTestId('predicted-connect')).toHaveAttribute('data-accepted', 'true');
  await expect(anonRow.getByTestId('predicted-connect').getByTestId('verdict-conditional')).toHaveCount(0);
  // So does a panel opened afterwards.
  const later = await openPanelTab(suite.browser, tabId);
  await later.root.getByTestId('view-tokens').click();
  await expect(later.root.getByTestId('project-keys')).toHaveAttribute('data-secret', 'yes');
  await expect(later.root.locator('[data-testid="token-row"][data-class="legacy-anon-key"]').getByTestId('predicted-connect').getByTestId('verdict-conditional')).toHaveCount(0);

  // Forgetting in the panel forgets everywhere it was remembered.
  await later.root.getByTestId('keys-forget').click();
  await expect(popup.page.getByTestId('keys-box')).toHaveAttribute('data-secret', 'no');
  await expect(signature(popup)).toHaveAttribute('data-status', 'unverified');
  expect(await storageAreas(popup.page)).toEqual({ session: {}, local: {} });
  expect(outside(popup.requests)).toEqual([]);
  for (const p of [later.root as Page, panel.root as Page, popup.page, app]) await p.close();
});

/** Subscribes to a public channel with real supabase-js (Node, `ws`) using `token`; the first status and its message. */
async function joinWith(token: string): Promise<{ status: string; message?: string }> {
  const project = suite.server.server.defaultProject;
  const sb = createClient(suite.server.url, project.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    accessToken: async () => token,
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket } as never,
  });
  try {
    // Resolve the token before subscribing (as the server's own supabase-js tests do): the join then carries it.
    await sb.realtime.setAuth();
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no subscribe status within 10 s')), 10_000);
      sb.channel(`fixit-${Math.random().toString(36).slice(2)}`).subscribe((status, err) => {
        if (status === 'SUBSCRIBED' || status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') {
          clearTimeout(timer);
          resolve({ status, message: err?.message });
        }
      });
    });
  } finally {
    await sb.removeAllChannels();
    sb.realtime.disconnect();
  }
}

async function mintInPopup(popup: Popup): Promise<string> {
  await popup.page.getByTestId('mint-button').click();
  const minted = popup.page.getByTestId('minted-token');
  await expect(minted).toBeVisible();
  await expect(minted).toContainText('TEST TOKEN — local development only.');
  return popup.page.getByTestId('minted-value').inputValue();
}

test('fix it: the claims diff per finding, and a corrected token minted here that the local server accepts on a real supabase-js join', async () => {
  const server = suite.server.server;
  const project = server.defaultProject;
  const t = Math.floor(server.now() / 1000);
  const issuer = `${suite.server.url}/auth/v1`;
  const claims: Record<string, unknown> = userClaims(t - 7200, { iss: issuer, exp: t - 300 });
  const expired = await server.mintToken(claims);
  // The server refuses it, as the popup predicts.
  const before = await joinWith(expired);
  expect(before.status).toBe('CHANNEL_ERROR');
  expect(before.message).toMatch(/Token has expired \d+ seconds ago/);

  const popup = await openPopup();
  await popup.paste(expired);
  const row = popup.result().locator('[data-testid="finding-row"][data-code="token-expired"]');
  await expect(row.locator('[data-testid="diff-row"][data-name="exp"]')).toHaveAttribute('data-op', 'replace');
  await expect(row.locator('[data-testid="diff-row"][data-name="exp"]')).toContainText(`− exp: ${t - 300}`);
  const fixIt = popup.result().getByTestId('fix-it');
  await expect(fixIt.locator('[data-testid="corrected-diff"] [data-testid="diff-row"]')).toHaveCount(2); // iat, exp
  await expect(fixIt.getByTestId('mint-needs-key')).toBeVisible();

  // With the project's JWT secret (what `supabase status` prints): mint, copy, join.
  await useKey(popup, project.jwtSecret);
  await expect(signature(popup)).toHaveAttribute('data-status', 'valid');
  const minted = await mintInPopup(popup);
  await expect(popup.page.getByTestId('minted-token')).toHaveAttribute('data-alg', 'HS256');
  await popup.page.getByTestId('copy-minted').click();
  await expect(popup.page.getByTestId('copy-status')).toHaveText('Copied.');
  // What Copy put on the clipboard, pasted back into the box: the corrected token, with no findings left.
  await popup.paste('');
  await popup.page.getByTestId('paste-box').focus();
  await popup.page.keyboard.press('ControlOrMeta+V');
  await expect(popup.page.getByTestId('paste-box')).toHaveValue(minted);
  await expect(signature(popup)).toHaveAttribute('data-status', 'valid');
  await expect(popup.result().getByTestId('no-findings')).toBeVisible();
  await expect(popup.result().getByTestId('predicted-join')).toHaveAttribute('data-accepted', 'true');
  const body = JSON.parse(Buffer.from(minted.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  const { iat: _i, exp: _e, ...same } = claims;
  expect(body).toMatchObject(JSON.parse(JSON.stringify(same)));
  expect(body.exp).toBeGreaterThan(Math.floor(server.now() / 1000) + 3000);
  expect(await joinWith(minted)).toEqual({ status: 'SUBSCRIBED', message: undefined });

  // A token without role, signed with the project's in-use ES256 key: minted with its private JWK.
  await forgetKeys(popup);
  const inUse = project.signingKeys.find((k) => k.status === 'in_use')!;
  const { role: _r, ...noRoleClaims } = userClaims(t, { iss: issuer });
  const noRole = await server.mintToken(noRoleClaims, { signWith: 'current' });
  expect((await joinWith(noRole)).status).toBe('CHANNEL_ERROR');
  await popup.paste(noRole);
  await expect(popup.result().locator('[data-testid="finding-row"][data-code="role-missing"] [data-testid="diff-row"][data-name="role"]')).toContainText('+ role: authenticated');
  await useKey(popup, JSON.stringify({ ...(await exportJWK(inUse.privateKey as CryptoKey)), kid: inUse.kid, alg: inUse.alg }));
  await expect(signature(popup)).toHaveAttribute('data-status', 'valid');
  const mintedEs = await mintInPopup(popup);
  await expect(popup.page.getByTestId('minted-token')).toHaveAttribute('data-kid', inUse.kid);
  expect(await joinWith(mintedEs)).toEqual({ status: 'SUBSCRIBED', message: undefined });

  // Never for a hosted project's issuer, never service_role.
  await forgetKeys(popup);
  await useKey(popup, keys.secretText);
  await popup.paste(await mint(keys, { claims: userClaims(t - 7200, { exp: t - 60 }) }));
  await expect(popup.result().getByTestId('mint-refused')).toContainText('local development only');
  await expect(popup.result().getByTestId('mint-button')).toHaveCount(0);
  await popup.paste(await mint(keys, { claims: { iss: 'supabase-demo', role: 'service_role', exp: t - 60 } }));
  await expect(popup.result().getByTestId('mint-refused')).toContainText('service_role');
  await expect(popup.result().getByTestId('mint-button')).toHaveCount(0);
  expect(outside(popup.requests)).toEqual([]);
  expect(popup.errors).toEqual([]);
  await popup.page.close();
});

test('follows the light/dark preference', async () => {
  const popup = await openPopup();
  const colors = () => popup.page.evaluate(() => ({ bg: getComputedStyle(document.body).backgroundColor, fg: getComputedStyle(document.body).color }));
  await popup.page.emulateMedia({ colorScheme: 'light' });
  expect(await colors()).toEqual({ bg: 'rgb(255, 255, 255)', fg: 'rgb(32, 33, 36)' });
  await popup.page.emulateMedia({ colorScheme: 'dark' });
  expect(await colors()).toEqual({ bg: 'rgb(32, 33, 36)', fg: 'rgb(232, 234, 237)' });
  // Form fields follow too (they are where a key is typed).
  expect(await popup.page.getByTestId('key-input').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(32, 33, 36)');
  await popup.page.close();
});

test('usable by keyboard alone: paste, decode, verify with a key, mint and copy', async () => {
  const popup = await openPopup();
  const page = popup.page;
  const t = nowSec();
  const token = await mint(keys, { claims: userClaims(t - 7200, { iss: 'http://127.0.0.1:54321/auth/v1', exp: t - 60 }) });
  const focused = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid ?? document.activeElement?.tagName ?? '');
  /** Tabs forward until the element with `testid` has focus (at most 30 presses). */
  const tabTo = async (testid: string) => {
    for (let i = 0; i < 30 && (await focused()) !== testid; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe(testid);
  };
  await tabTo('paste-box');
  await page.keyboard.insertText(token);
  await expect(popup.result()).toHaveAttribute('data-class', 'user-access-token');
  await tabTo('key-input');
  await page.keyboard.type(keys.secretText);
  await page.keyboard.press('Enter');
  await expect(signature(popup)).toHaveAttribute('data-status', 'valid');
  await tabTo('mint-button');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('minted-token')).toBeVisible();
  await tabTo('copy-minted');
  await expect(page.locator(':focus-visible')).toHaveCount(1);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('copy-status')).not.toHaveText('');
  // The remember box toggles with the space bar.
  await page.keyboard.press('Shift+Tab');
  for (let i = 0; i < 40 && (await focused()) !== 'keys-remember'; i++) await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Space');
  await expect(page.getByTestId('keys-box')).toHaveAttribute('data-remember', 'true');
  await page.keyboard.press('Space');
  await expect(page.getByTestId('keys-box')).toHaveAttribute('data-remember', 'false');
  expect(popup.errors).toEqual([]);
  await page.close();
});
