// Issue 4, "Done when": the e2e scenarios show the engine predicting what the test server then
// says. Real Chromium with the built extension, the demo app running the real supabase-js against
// the local server (short error backoffs), and the Claimscope panel opened as a tab (?tabId=).
// Every assertion reads what a user sees in the panel (documented data-testids, src/panel/main.tsx):
// the finding codes, the Tokens view, and in the Channels / Connections views the predicted verdict
// next to the server's actual answer with its matched / differed mark.

import { expect, test, type Locator, type Page } from '@playwright/test';
import type { Observation } from './app/observe';
import { appUrl, scenarioDone, startAppServer } from './support/app-server';
import { openPanelTab, type PanelUi } from './support/panel-ui';
import { useExtensionSuite } from './support/suite';

const suite = useExtensionSuite(startAppServer);

const EXPIRED = /^InvalidJWTToken: Token has expired (\d+) seconds ago$/;

async function run(scenario: string, params: Record<string, string | number> = {}, during?: (page: Page) => Promise<void>): Promise<{ page: Page; ui: PanelUi; observations: Observation[] }> {
  const page = await suite.browser.context.newPage();
  await page.goto(appUrl(suite.server, { scenario, ...params }));
  if (during) await during(page);
  const observations = await scenarioDone(page, scenario);
  expect(observations.filter((o) => o.kind === 'error')).toEqual([]);
  const ui = await openPanelTab(suite.browser, await suite.browser.tabIdOf(page));
  await expect(ui.status()).toHaveAttribute('data-status', 'capturing');
  return { page, ui, observations };
}

/** The app's CHANNEL_ERROR text: what supabase-js handed the developer (the server's reason). */
function channelError(observations: Observation[]): string {
  const o = observations.find((x) => x.kind === 'status' && x.text.startsWith('room1 CHANNEL_ERROR: '));
  expect(o, 'the app saw CHANNEL_ERROR').toBeDefined();
  return o!.text.slice('room1 CHANNEL_ERROR: '.length);
}

/** Finding codes shown in the Findings view, once they include every `expected` code. */
async function findingCodes(ui: PanelUi, expected: string[]): Promise<string[]> {
  await ui.view('findings');
  const read = () => ui.root.locator('[data-testid="finding-row"]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.code ?? ''));
  await expect.poll(read, { message: `findings include ${expected.join(', ')}` }).toEqual(expect.arrayContaining(expected));
  return read();
}

async function tokensView(ui: PanelUi): Promise<void> {
  await ui.root.getByTestId('view-tokens').click();
  await expect(ui.root.getByTestId('tokens-view')).toHaveAttribute('data-state', 'done');
}

function tokenRow(ui: PanelUi, tokenClass: string): Locator {
  return ui.root.locator(`[data-testid="token-row"][data-class="${tokenClass}"]`);
}

/** The room1 channel instance the server refused (failure scenarios) or the only one. */
function refusedChannel(ui: PanelUi): Locator {
  return ui.root.locator('[data-testid="channel-row"][data-topic="realtime:room1"]').filter({ has: ui.root.locator('[data-testid="server-verdict"][data-status="error"]') }).first();
}

async function fetchJwks(ui: PanelUi): Promise<void> {
  await ui.root.getByTestId('fetch-jwks').first().click();
  await expect(ui.root.getByTestId('project-keys')).toHaveAttribute('data-jwks', 'yes');
}

test('expired-token: token-expired + server-join-rejected; the predicted "Token has expired N seconds ago" is what the server said', async () => {
  const { page, ui, observations } = await run('expired-token');
  const said = channelError(observations);
  const n = Number(EXPIRED.exec(said)?.[1]);
  expect(n).toBeGreaterThanOrEqual(120);

  expect(await findingCodes(ui, ['token-expired', 'server-join-rejected'])).toEqual(expect.arrayContaining(['token-expired', 'server-join-rejected']));

  await tokensView(ui);
  const user = tokenRow(ui, 'user-access-token');
  await expect(user).toHaveCount(1);
  await expect(user.locator('[data-testid="token-use"][data-kind="join-access-token"]')).toHaveCount(1);
  expect(Number(await user.getByTestId('token-exp').getAttribute('data-seconds-left'))).toBeLessThanOrEqual(-120);
  await expect(user.getByTestId('token-exp')).toContainText(/expired \d+ (s|min)/);
  await expect(user.getByTestId('predicted-join')).toHaveAttribute('data-reason', EXPIRED);
  await expect(user.getByTestId('predicted-join').getByTestId('verdict-conditional')).toContainText('conditional: signature not verified (no key supplied)');
  await expect(user.locator('[data-testid="token-finding"][data-code="token-expired"]')).toHaveCount(1);
  // Never the whole token on screen.
  await expect(user.getByTestId('token-masked')).toContainText('(signature hidden)');
  // Nor in the join frame's payload, unless the user reveals keys.
  await ui.filter('phx_join');
  const joinDetails = await ui.openFrame(ui.frameRows({ event: 'phx_join', dir: 'sent', topic: 'realtime:room1' }).first());
  await expect(joinDetails.getByTestId('frame-payload')).toContainText(/"access_token": "eyJ[\w-]*\.[\w-]*\.…\(signature hidden\)"/);
  await ui.root.getByTestId('toggle-reveal-keys').check();
  await expect(joinDetails.getByTestId('frame-payload')).toContainText(/"access_token": "eyJ[\w-]*\.[\w-]*\.[\w-]{8,}"/);
  await ui.root.getByTestId('toggle-reveal-keys').uncheck();
  await ui.filter('');

  await ui.view('channels');
  const ch = refusedChannel(ui);
  await expect(ch.getByTestId('effective-token')).toHaveAttribute('data-source', 'join-access-token');
  await expect(ch.getByTestId('server-verdict')).toHaveAttribute('data-reason', said);
  await expect(ch.getByTestId('verdict-match')).toHaveAttribute('data-match', 'yes');
  await expect(ch.getByTestId('predicted-verdict')).toHaveAttribute('data-conditional', 'true');
  const predicted = Number(EXPIRED.exec((await ch.getByTestId('predicted-verdict').getAttribute('data-reason')) ?? '')?.[1]);
  expect(Math.abs(predicted - n), `predicted N ${predicted} vs the server's ${n}`).toBeLessThanOrEqual(2);

  // With the project's public JWKS (fetched on click) the signature is verified: no longer conditional, still the server's words.
  await fetchJwks(ui);
  await expect(ch.getByTestId('predicted-verdict')).toHaveAttribute('data-conditional', 'false');
  await expect(ch.getByTestId('predicted-verdict')).toHaveAttribute('data-reason', EXPIRED);
  await expect(ch.getByTestId('verdict-match')).toHaveAttribute('data-match', 'yes');
  await ui.close();
  await page.close();
});

test('missing-role: role-missing; the predicted reason is exactly the server’s', async () => {
  const { page, ui, observations } = await run('missing-role');
  const said = channelError(observations);
  expect(said).toBe('InvalidJWTToken: Fields `role` and `exp` are required in JWT');
  await findingCodes(ui, ['role-missing', 'server-join-rejected']);

  await tokensView(ui);
  const user = tokenRow(ui, 'user-access-token');
  await expect(user.getByTestId('token-role')).toContainText('(absent)');
  await expect(user.locator('[data-testid="token-finding"][data-code="role-missing"]')).toHaveCount(1);
  await expect(user.getByTestId('predicted-join')).toHaveAttribute('data-reason', said);

  await ui.view('channels');
  const ch = refusedChannel(ui);
  await expect(ch.getByTestId('predicted-verdict')).toHaveAttribute('data-reason', said);
  await expect(ch.getByTestId('predicted-verdict')).toHaveAttribute('data-conditional', 'true');
  await expect(ch.getByTestId('verdict-match')).toHaveAttribute('data-match', 'yes');
  await ui.close();
  await page.close();
});

test('other-project: without a key only the foreign issuer is knowable; with the project JWKS the JwtSignerError naming the kid is predicted', async () => {
  const { page, ui, observations } = await run('other-project');
  const said = channelError(observations);
  const kid = /key ID \(kid\) "([^"]+)"/.exec(said)?.[1];
  expect(kid, said).toBeDefined();

  // Honest without a key: the issuer is another project's Auth, not this page's project URL.
  const before = await findingCodes(ui, ['iss-unexpected', 'server-join-rejected']);
  expect(before).not.toContain('signature-invalid'); // no key: a signature is never guessed bad
  expect(before).not.toContain('kid-unknown'); // no JWKS: the kid cannot be judged yet

  await tokensView(ui);
  const user = tokenRow(ui, 'user-access-token');
  await expect(user.getByTestId('token-iss')).toContainText(suite.server.otherProject.ref);
  await expect(user.locator('[data-testid="token-finding"][data-code="iss-unexpected"]')).toHaveCount(1);
  await expect(user.getByTestId('token-alg')).toContainText(`kid ${kid}`);
  await expect(user.getByTestId('predicted-join')).toHaveAttribute('data-accepted', 'true');
  await expect(user.getByTestId('predicted-join').getByTestId('verdict-conditional')).toContainText(kid!);

  await ui.view('channels');
  const ch = refusedChannel(ui);
  // The prediction assumed the kid is in the project's JWKS: the server shows it is not.
  await expect(ch.getByTestId('predicted-verdict')).toHaveAttribute('data-conditional', 'true');
  await expect(ch.getByTestId('verdict-match')).toHaveAttribute('data-match', 'no');
  await expect(ch.getByTestId('verdict-match')).toContainText(kid!);

  await fetchJwks(ui);
  await expect(ch.getByTestId('predicted-verdict')).toHaveAttribute('data-reason', said);
  await expect(ch.getByTestId('predicted-verdict')).toHaveAttribute('data-conditional', 'false');
  await expect(ch.getByTestId('verdict-match')).toHaveAttribute('data-match', 'yes');
  expect(await findingCodes(ui, ['kid-unknown'])).toContain('kid-unknown');
  await ui.close();
  await page.close();
});

test('service-role: service-role-in-browser; connect and join predicted accepted, as the server did; verified with the secret', async () => {
  const { page, ui } = await run('service-role');
  await findingCodes(ui, ['service-role-in-browser']);

  await tokensView(ui);
  const key = tokenRow(ui, 'legacy-service-role-key');
  await expect(key).toHaveAttribute('data-role', 'service_role');
  await expect(key).toHaveAttribute('data-ref', suite.server.ref);
  await expect(key.locator('[data-testid="token-use"][data-kind="socket-apikey"]')).toHaveCount(1);
  await expect(key.locator('[data-testid="token-finding"][data-code="service-role-in-browser"]')).toHaveCount(1);
  await expect(key.getByTestId('predicted-connect')).toHaveAttribute('data-accepted', 'true');

  await ui.view('connections');
  await expect(ui.connections().getByTestId('connect-match')).toHaveAttribute('data-match', 'yes');

  await ui.view('channels');
  const ch = ui.root.locator('[data-testid="channel-row"][data-topic="realtime:room1"]').first();
  await expect(ch.getByTestId('server-verdict')).toHaveAttribute('data-status', 'ok');
  await expect(ch.getByTestId('predicted-verdict')).toHaveAttribute('data-accepted', 'true');
  await expect(ch.getByTestId('predicted-verdict')).toHaveAttribute('data-conditional', 'true');
  await expect(ch.getByTestId('verdict-match')).toHaveAttribute('data-match', 'yes');

  // The legacy key is HS256: with the project's JWT secret it is verified, and the answer is no longer conditional.
  await ui.root.getByTestId('secret-input').fill(suite.server.server.defaultProject.jwtSecret);
  await ui.root.getByTestId('secret-apply').click();
  await expect(ui.root.getByTestId('project-keys')).toHaveAttribute('data-secret', 'yes');
  await expect(ch.getByTestId('predicted-verdict')).toHaveAttribute('data-conditional', 'false');
  await expect(ch.getByTestId('verdict-match')).toHaveAttribute('data-match', 'yes');
  await ui.close();
  await page.close();
});

test('expired-apikey: server-connect-refused; predicted 401 {"error":"Token has expired"} and the upgrade was refused', async () => {
  const { page, ui } = await run('expired-apikey');
  await findingCodes(ui, ['server-connect-refused', 'token-expired']);

  await ui.view('connections');
  const conn = ui.connections().first();
  await expect(conn).toHaveAttribute('data-state', 'refused');
  await expect(conn.getByTestId('predicted-connect')).toHaveAttribute('data-status', '401');
  await expect(conn.getByTestId('predicted-connect')).toContainText('{"error":"Token has expired"}');
  await expect(conn.getByTestId('connect-match')).toHaveAttribute('data-match', 'yes');

  await tokensView(ui);
  const key = tokenRow(ui, 'legacy-anon-key');
  await expect(key.getByTestId('predicted-connect')).toHaveAttribute('data-status', '401');
  await expect(key.locator('[data-testid="token-finding"][data-code="token-expired"]')).toHaveCount(1);
  await ui.close();
  await page.close();
});

test('signout-publishable: the ignored sb_publishable_ push keeps the signed-out token in force until the server closes the channel', async () => {
  const { page, ui, observations } = await run('signout-publishable', {}, async (p) => {
    await expect.poll(() => p.evaluate(() => (window.__observations ?? []).some((o) => o.kind === 'auth' && o.text === 'SIGNED_OUT')), { timeout: 30_000 }).toBe(true);
    // Fast-forward the server to past the token's exp and run its periodic re-check (§4.4) now.
    suite.server.server.knobs.clockOffsetMs += 120_000;
    await suite.server.server.confirmTokensNow();
  });
  try {
    expect(observations.some((o) => o.kind === 'system' && /Token has expired \d+ seconds ago/.test(o.text))).toBe(true);
    await findingCodes(ui, ['signed-out-token-retained', 'server-channel-closed']);

    await ui.view('channels');
    const ch = ui.root.locator('[data-testid="channel-row"][data-topic="realtime:room1"]').first();
    await expect(ch.getByTestId('effective-token')).toHaveAttribute('data-source', 'join-access-token');
    await expect(ch.getByTestId('ignored-pushes')).toContainText('sb_ values are ignored');
    await expect(ch.getByTestId('server-verdict')).toHaveAttribute('data-status', 'ok');
    await expect(ch.getByTestId('verdict-match')).toHaveAttribute('data-match', 'yes');
    const judged = await ch.getByTestId('effective-token').getAttribute('data-label');

    await tokensView(ui);
    // The token in force when the server closed the channel is the signed-out user's.
    const user = tokenRow(ui, 'user-access-token');
    await expect(user).toHaveCount(1);
    await expect(user).toHaveAttribute('data-label', judged!);
    const key = tokenRow(ui, 'publishable-key');
    await expect(key.getByTestId('predicted-join')).toHaveAttribute('data-accepted', 'null');
    await expect(key.getByTestId('predicted-join')).toContainText('issued by the gateway, not visible');
    await expect(key.locator('[data-testid="token-finding"][data-code="opaque-api-key"]')).toHaveCount(1);
  } finally {
    suite.server.server.knobs.clockOffsetMs -= 120_000;
  }
  await ui.close();
  await page.close();
});

test('private-denied: private-channel-denied; the token passes as predicted, then RLS refuses', async () => {
  const { page, ui, observations } = await run('private-denied');
  const said = channelError(observations);
  expect(said).toBe('Unauthorized: You do not have permissions to read from this Channel topic: room1');
  await findingCodes(ui, ['private-channel-denied']);

  await ui.view('channels');
  const ch = refusedChannel(ui);
  await expect(ch.getByTestId('server-verdict')).toHaveAttribute('data-reason', said);
  await expect(ch.getByTestId('predicted-verdict')).toHaveAttribute('data-accepted', 'true');
  await expect(ch.getByTestId('predicted-verdict')).toContainText('RLS read policy decides');
  await expect(ch.getByTestId('verdict-match')).toHaveAttribute('data-match', 'yes');
  await ui.close();
  await page.close();
});
