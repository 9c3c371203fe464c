// Issue 10 item 4, in the real DevTools panel: the demo app opened the way an implicit-flow sign-in
// leaves it (`#access_token=…&refresh_token=…&token_type=bearer`), with an access token the local
// server signed and that had expired when the page loaded (the app's client does not read the
// fragment, so the token reaches the panel only through the page's URL). The Tokens view shows that token as a
// use of the page's URL, masked, judged on its claims (expired) and never on the signature
// Claimscope did not keep; the status line shows the URL with the token masked and no refresh token.

import { expect, test } from '@playwright/test';
import { appUrl, scenarioDone, startAppServer } from './support/app-server';
import { openDevToolsFor, selectClaimscopePanel } from './support/panel-ui';
import { useExtensionSuite } from './support/suite';

// DevTools windows must be Playwright pages (toolchain.md), for this file only (as panel-findings.spec.ts).
let previousAttach: string | undefined;
test.beforeAll(() => {
  previousAttach = process.env.PW_CHROMIUM_ATTACH_TO_OTHER;
  process.env.PW_CHROMIUM_ATTACH_TO_OTHER = '1';
});
test.afterAll(() => {
  if (previousAttach === undefined) delete process.env.PW_CHROMIUM_ATTACH_TO_OTHER;
  else process.env.PW_CHROMIUM_ATTACH_TO_OTHER = previousAttach;
});
const suite = useExtensionSuite(startAppServer);

test("an implicit-flow sign-in URL with an expired access token: a page-url use in the Tokens view, masked, judged on its claims; the status line masks it and shows no refresh token", async () => {
  const nowS = Math.floor(suite.server.server.now() / 1000);
  // Signed by the local project's JWT secret, as its Auth would sign it, expired ten minutes ago.
  const access = await suite.server.server.mintToken({
    iss: `${suite.server.url}/auth/v1`,
    sub: '5b7c6a0e-0000-4000-8000-0000000000aa',
    aud: 'authenticated',
    role: 'authenticated',
    iat: nowS - 4_200,
    exp: nowS - 600,
    session_id: 'a1b2c3d4-0000-4000-8000-0000000000bb',
    aal: 'aal1',
    is_anonymous: false,
  });
  const [header, claims, signature] = access.split('.');
  const refresh = 'r1RefreshTokenNeverShown';
  const page = await suite.browser.context.newPage();
  // The app's own traffic (it subscribes with the anon key; its client does not read the fragment:
  // detectSessionInUrl false), so the status line names the page.
  await page.goto(`${appUrl(suite.server, { scenario: 'subscribe' })}#access_token=${access}&expires_in=3600&refresh_token=${refresh}&token_type=bearer`);
  await scenarioDone(page, 'subscribe');
  const ui = await selectClaimscopePanel(await openDevToolsFor(suite.browser.context, page));

  // The status line: the page's URL with the token's signature masked, the refresh token gone.
  const status = ui.status();
  await expect(status).toHaveAttribute('data-status', 'capturing');
  await expect(status).toContainText(`#access_token=${header}.${claims}.…(signature not kept)`);
  await expect(status).toContainText('refresh_token=[redacted]');
  await expect(status).not.toContainText(signature);
  await expect(status).not.toContainText(refresh);

  // The Tokens view: the token, as a use of the page's URL, masked and expired.
  await ui.root.getByTestId('view-tokens').click();
  const card = ui.root.locator('[data-testid="token-row"]').filter({ has: ui.root.locator('[data-testid="token-use"][data-kind="page-url"]') });
  await expect(card).toHaveCount(1, { timeout: 15_000 });
  await expect(card).toHaveAttribute('data-class', 'user-access-token');
  await expect(card).toHaveAttribute('data-role', 'authenticated');
  await expect(card.getByTestId('token-label')).toHaveText(/^user access token #[0-9a-z]{6} \(signature not kept\)$/);
  await expect(card.getByTestId('token-masked')).toHaveText(`${header.slice(0, 10)}….${claims.slice(0, 10)}….(signature not kept: taken from a URL)`);
  await expect(card.getByTestId('token-use')).toHaveCount(1);
  await expect(card.getByTestId('token-use')).toContainText("the page's URL ×1 (#access_token)");
  await expect(card.getByTestId('token-exp')).toContainText('expired');
  const findings = card.getByTestId('token-finding');
  await expect(findings.filter({ hasText: 'token-expired' })).toContainText(/Expired 6\d\d s before this use/);
  for (const never of ['signature-invalid', 'token-malformed', 'kid-unknown']) await expect(card.locator(`[data-code="${never}"]`)).toHaveCount(0);
  // Not sent to Realtime in this form: no predicted verdict, and the card says why.
  await expect(card.getByTestId('predicted-join')).toHaveAttribute('data-accepted', 'null');
  await expect(card.getByTestId('predicted-join')).toContainText("Seen only in the page's URL");

  // Nowhere in the panel: the signature, the whole token, the refresh token.
  for (const view of ['tokens', 'findings', 'frames', 'http'] as const) {
    await ui.root.getByTestId(`view-${view}`).click();
    const text = await ui.root.locator('body').innerText();
    expect(text, `${view} view`).not.toContain(signature);
    expect(text, `${view} view`).not.toContain(refresh);
    expect(text, `${view} view`).not.toContain(access);
  }
  await page.close();
});
