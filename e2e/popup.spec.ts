// Issue 12, the popup: quick decode (item 1), nothing leaves the machine (item 5) and this tab
// (item 3), on real Chromium with the built extension. The popup page is opened as an ordinary
// extension tab (chrome-extension://<id>/src/popup/popup.html); for the tab summary the tab to
// summarise is given as ?tabId=N (src/popup/target-tab.ts: the toolbar popup takes the active tab
// of its window, which is unit-tested; the popup's own tab never stands in). Tokens are minted at
// test time with jose (src/core/tokens/testing.ts); assertions read the documented data-testids
// (src/popup/main.tsx).

import { expect, test, type Locator, type Page, type Request } from '@playwright/test';
import { base64url } from 'jose';
import { makeTestKeys, mint, REF, userClaims, type TestKeys } from '../src/core/tokens/testing';
import { appUrl, scenarioDone, startAppServer } from './support/app-server';
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
