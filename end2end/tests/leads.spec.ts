/**
 * Lead forms as a visitor uses them (with JavaScript and without), and the
 * offices page where a clinic admin decides where requests go.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { LAKESIDE, PMC, trackWasm, waitForHydration } from './support';

const DEMO_PASSWORD = 'demo-password-2026';
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function axeClean(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  expect(results.violations.map((v) => `${label}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** The minimum fill time: a person takes longer than this to write a request. */
async function likeAPerson(page: Page): Promise<void> {
  await page.waitForTimeout(3_200);
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a refused form keeps what was typed and says what to fix, then the request is received', async ({ page }) => {
    test.setTimeout(90_000);
    await page.goto(`${PMC}/contact`);
    await page.getByLabel('Your name').fill('Jordan <b>Example</b>');
    await page.locator('#lead-email').fill('jordan@');
    await page.getByRole('radio', { name: 'E-mail' }).check();
    await page.getByLabel(/^Your message/).fill('Do you take walk-in visits on Saturday mornings?');
    await page.getByRole('button', { name: 'Send' }).click();
    // The same page again: a summary, a message at each field, the text kept.
    await expect(page.getByRole('heading', { name: 'Please correct these before sending' })).toBeVisible();
    await expect(page.locator('#lead-email-error')).not.toBeEmpty();
    await expect(page.locator('#lead-consent-error')).not.toBeEmpty();
    await expect(page.getByLabel('Your name')).toHaveValue('Jordan <b>Example</b>');
    await expect(page.getByLabel(/^Your message/)).toHaveValue('Do you take walk-in visits on Saturday mornings?');
    await page.screenshot({ path: 'test-results/screens/contact-refused.png', fullPage: true });

    await page.locator('#lead-email').fill('jordan@example.com');
    await page.locator('#lead-consent').check();
    await likeAPerson(page);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page).toHaveURL(/\/contact\/thanks\?ref=PMC-[0-9A-Z]{6}/);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('your request was received');
    await expect(page.locator('.reference')).toHaveText(/^PMC-[0-9A-Z]{6}$/);
  });
});

test('with JavaScript the form checks itself before sending', async ({ page }) => {
  test.setTimeout(90_000);
  await trackWasm(page);
  await page.goto(`${PMC}/locations/concord`);
  await waitForHydration(page);
  const form = page.locator('form.lead-form');
  // Appointment questions appear only for appointment requests.
  await form.getByRole('radio', { name: 'Request an appointment' }).check();
  await expect(form.getByRole('group', { name: 'Your appointment' })).toBeVisible();
  await form.getByRole('radio', { name: 'Ask a question' }).check();
  await expect(form.getByRole('group', { name: 'Your appointment' })).toBeHidden();
  await form.getByRole('button', { name: 'Send' }).click();
  // Nothing was sent: the messages appear in place.
  await expect(page).toHaveURL(`${PMC}/locations/concord`);
  await expect(form.getByRole('heading', { name: 'Please correct these before sending' })).toBeVisible();
  await expect(form.locator('#lead-name-error')).not.toBeEmpty();
  await axeClean(page, 'office page form with errors');
  await page.screenshot({ path: 'test-results/screens/location-form.png', fullPage: true });
  // Corrected in place, the request is sent and answered with a reference.
  await form.getByRole('radio', { name: 'Request an appointment' }).check();
  await form.getByLabel('Your name').fill('Jordan Avery');
  await form.getByLabel(/^Phone/).fill('925 555 0142');
  await expect(form.locator('#lead-name-error')).toBeEmpty();
  await form.getByRole('radio', { name: "No, I'm a new patient" }).check();
  await form.getByRole('checkbox', { name: 'Tue' }).check();
  await form.getByRole('checkbox', { name: 'Morning' }).check();
  await form.locator('#lead-consent').check();
  await expect(form.locator('#lead-consent')).toBeChecked();
  await expect(form.getByRole('radio', { name: "No, I'm a new patient" })).toBeChecked();
  await likeAPerson(page);
  await form.getByRole('button', { name: 'Request the appointment' }).click();
  await expect(page).toHaveURL(/\/contact\/thanks\?ref=PMC-[0-9A-Z]{6}&office=concord/);
  await expect(page.getByText('Our Concord office will get back to you')).toBeVisible();
});

test('a public page loads no script until its form is used, and keeps what was typed meanwhile', async ({ page }) => {
  test.setTimeout(60_000);
  const bundle: string[] = [];
  page.on('request', (r) => {
    if (/^\/pkg\/.*\.(js|wasm)$/.test(new URL(r.url()).pathname)) bundle.push(r.url());
  });
  await trackWasm(page);
  await page.goto(`${PMC}/locations/concord`);
  await page.waitForLoadState('networkidle');
  expect(bundle, 'nothing but HTML, CSS and images for a reader').toEqual([]);
  // Typing loads the bundle; the name and phone typed while it loads count.
  const form = page.locator('form.lead-form');
  await form.getByLabel('Your name').fill('Jordan Avery');
  await form.getByLabel(/^Phone/).fill('925 555 0142');
  await waitForHydration(page);
  expect(bundle.length).toBeGreaterThan(0);
  await expect(form.getByLabel('Your name')).toHaveValue('Jordan Avery');
  await form.getByRole('button', { name: 'Send' }).click();
  await expect(page).toHaveURL(`${PMC}/locations/concord`);
  await expect(form.getByRole('heading', { name: 'Please correct these before sending' })).toBeVisible();
  await expect(form.locator('#lead-consent-error')).not.toBeEmpty();
  await expect(form.locator('#lead-name-error')).toBeEmpty();
  await expect(form.locator('#lead-phone-error')).toBeEmpty();
});

test('a clinic admin edits an office and the default inbox', async ({ page }) => {
  test.setTimeout(90_000);
  await trackWasm(page);
  await page.goto(`${PMC}/admin/login`);
  await page.getByLabel('E-mail address').fill('admin@lakeside-derm.example');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto(`${PMC}/admin/lakeside/offices`);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Offices');
  await axeClean(page, 'offices list');
  await page.screenshot({ path: 'test-results/screens/admin-offices.png', fullPage: true });

  await page.getByRole('link', { name: 'Oak Park', exact: true }).click();
  await waitForHydration(page);
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Oak Park');
  // A wrong time: the message names the day, the typed text stays.
  await page.getByLabel('Saturday').fill('9 to noon');
  await page.getByRole('button', { name: 'Save the office' }).click();
  await expect(page.locator('#office-sat-error')).toContainText('Saturday');
  await expect(page.getByLabel('Saturday')).toHaveValue('9 to noon');
  await axeClean(page, 'office form with an error');
  await page.getByLabel('Saturday').fill('09:00-12:00');
  await page.getByRole('button', { name: 'Save the office' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/admin-office-edit.png', fullPage: true });
  // The public page follows.
  await page.goto(`${LAKESIDE}/locations/oak-park`);
  await expect(page.getByRole('row', { name: /Saturday/ })).toContainText('9:00 AM');
});

test('office staff find a request in their inbox and answer it', async ({ browser }) => {
  test.setTimeout(90_000);
  // A visitor writes to the Pleasant Hill office (without JavaScript).
  const visitor = await browser.newContext({ javaScriptEnabled: false });
  const v = await visitor.newPage();
  await v.goto(`${PMC}/locations/pleasant-hill`);
  const name = `Robin Inbox ${Date.now()}`;
  await v.getByLabel('Your name').fill(name);
  await v.locator('#lead-phone').fill('(925) 555-0161');
  await v.getByLabel(/^Your message/).fill('Can I bring my own knee brace to the first visit?');
  await v.locator('#lead-consent').check();
  await likeAPerson(v);
  await v.getByRole('button', { name: 'Send' }).click();
  await expect(v).toHaveURL(/\/contact\/thanks\?ref=PMC-[0-9A-Z]{6}&office=pleasant-hill/);
  const reference = (await v.locator('.reference').textContent())?.trim() ?? '';
  await visitor.close();

  // Maria works at Pleasant Hill: the request is in her inbox.
  const staff = await browser.newContext();
  const page = await staff.newPage();
  await trackWasm(page);
  await page.goto(`${PMC}/admin/login`);
  await page.getByLabel('E-mail address').fill('maria@pmc.example');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto(`${PMC}/admin/pmc/leads`);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Requests');
  await axeClean(page, 'inbox');
  await page.screenshot({ path: 'test-results/screens/admin-inbox.png', fullPage: true });
  await page.getByRole('link', { name, exact: true }).click();
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(reference);
  await expect(page.getByText('Can I bring my own knee brace to the first visit?')).toBeVisible();
  await axeClean(page, 'request page');
  await page.getByLabel('Change the status to').selectOption('contacted');
  await page.getByRole('button', { name: 'Change the status' }).click();
  await expect(page.getByRole('status')).toContainText('Marked as contacted');
  await expect(page.locator('ol.history')).toContainText('Status: New → Contacted');
  await page.screenshot({ path: 'test-results/screens/admin-request.png', fullPage: true });
});

test('a clinic admin edits the request settings; a bad value keeps what was typed', async ({ page }) => {
  test.setTimeout(90_000);
  await trackWasm(page);
  await page.goto(`${PMC}/admin/login`);
  await page.getByLabel('E-mail address').fill('admin@lakeside-derm.example');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto(`${PMC}/admin/lakeside/offices`);
  await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Request settings' }).click();
  await expect(page).toHaveURL(`${PMC}/admin/lakeside/lead-settings`);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Request settings');
  const version = (await page.locator('#ls-consent_text-hint strong').textContent())?.trim() ?? '';
  expect(version).not.toBe('');

  // Bad values: the page again with a message at each field and the text as typed.
  const consent = `I agree that Lakeside Family Dermatology keeps my request to answer it (${Date.now()}).`;
  await page.getByLabel(/^Consent text/).fill(consent);
  await page.getByLabel(/^Response target/).fill('soon');
  await page.getByLabel(/^Webhook address/).fill('http://crm.lakeside.example/hook');
  await page.getByLabel('Webhook secret').fill('a webhook secret for lakeside');
  await page.getByRole('button', { name: 'Save the settings' }).click();
  await expect(page.getByRole('heading', { name: 'The settings were not saved' })).toBeVisible();
  await expect(page.locator('#ls-response_target_hours-error')).toContainText('business hours');
  await expect(page.locator('#ls-webhook_url-error')).toContainText('https');
  await expect(page.getByLabel(/^Response target/)).toHaveValue('soon');
  await expect(page.getByLabel(/^Response target/)).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel(/^Consent text/)).toHaveValue(consent);
  await expect(page.getByLabel('Webhook secret')).toHaveValue('');
  await waitForHydration(page);
  await axeClean(page, 'request settings with errors');

  // Corrected: saved, with a new consent version; the secret is set but never shown.
  await page.getByLabel(/^Response target/).fill('6');
  await page.getByLabel(/^Webhook address/).fill('');
  await page.getByLabel('Webhook secret').fill('a webhook secret for lakeside');
  await page.getByRole('button', { name: 'Save the settings' }).click();
  await expect(page).toHaveURL(`${PMC}/admin/lakeside/lead-settings?saved=consent`);
  await expect(page.getByRole('status')).toContainText('Saved. The consent text is now version');
  await expect(page.locator('#ls-consent_text-hint strong')).not.toHaveText(version);
  await expect(page.locator('#ls-webhook_secret-hint')).toContainText('A secret is set.');
  await expect(page.getByLabel('Webhook secret')).toHaveValue('');
  await expect(page.getByLabel(/^Response target/)).toHaveValue('6');
  await waitForHydration(page);
  await axeClean(page, 'request settings saved');
  await page.screenshot({ path: 'test-results/screens/admin-lead-settings.png', fullPage: true });
  // The clinic's forms use the new consent text.
  await page.goto(`${LAKESIDE}/contact`);
  await expect(page.locator('label[for="lead-consent"]')).toContainText(consent);
});

test.describe('the question form under a post, without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('sends a short question to the thank-you page', async ({ page }) => {
    test.setTimeout(90_000);
    await page.goto(`${PMC}/blog/what-to-expect-at-your-first-visit`);
    const ask = page.getByRole('region', { name: 'Questions about this? Ask our team' });
    await expect(ask).toBeVisible();
    const form = ask.locator('form.lead-form.compact');
    await expect(form).toHaveAttribute('action', '/contact');
    // Short: no appointment questions, no office choice.
    await expect(form.getByRole('group', { name: 'Your appointment' })).toHaveCount(0);
    await expect(form.locator('#lead-office')).toHaveCount(0);
    await ask.screenshot({ path: 'test-results/screens/post-question-form.png' });
    await form.getByLabel('Your name').fill('Casey Reader');
    await form.getByRole('radio', { name: 'E-mail' }).check();
    await form.locator('#lead-email').fill('casey.reader@example.com');
    await form.getByLabel(/^Your message/).fill('Should I bring my imaging CDs to the first visit?');
    await form.locator('#lead-consent').check();
    await likeAPerson(page);
    await form.getByRole('button', { name: 'Send' }).click();
    await expect(page).toHaveURL(/\/contact\/thanks\?ref=PMC-[0-9A-Z]{6}/);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('your request was received');
  });
});

test('the question form under a post looks right on a phone and hydrates cleanly', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if ((m.type() === 'error' || m.type() === 'warning') && !m.location().url.endsWith('/favicon.ico')) problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await trackWasm(page);
  await page.goto(`${PMC}/blog/what-to-expect-at-your-first-visit`);
  await waitForHydration(page);
  expect(problems, 'console errors/warnings or page errors').toEqual([]);
  const ask = page.getByRole('region', { name: 'Questions about this? Ask our team' });
  await ask.scrollIntoViewIfNeeded();
  await expect(ask.locator('form.lead-form.compact')).toBeVisible();
  // Nothing sticks out sideways at 390 px.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await axeClean(page, 'post page with its question form, 390 px');
  await ask.screenshot({ path: 'test-results/screens/post-question-form-390.png' });
  await context.close();
});
