/**
 * A clinic admin runs the clinic from the browser (issue: clinic
 * administration): adds an office with split hours and a holiday closure,
 * previews it, sees it live on /locations, asks the routing tester where a
 * request would go, sends the office inbox a test e-mail, invites a
 * receptionist for that office who accepts and sees only that office's
 * requests, opens the dashboard, and archives the office. The preview works
 * without JavaScript too. Axe on every admin page visited.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_DATA, ADMIN_PORT as PORT, trackWasm, waitForHydration } from './support';

const ADMIN = `http://pmc.localhost:${PORT}`;
const LAKESIDE = `http://lakeside.localhost:${PORT}`;
const PASSWORD = 'demo-password-2026';

async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${ADMIN}/admin/login`);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
}

/** Every mail sent to `to` (quoted-printable soft breaks undone). */
function mailsTo(to: string): string[] {
  const dir = join(ADMIN_DATA, 'mail');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '='))
    .filter((text) => text.includes(`To: ${to}`));
}

async function axeClean(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${name}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** A request through the lead API, sent from a page on the clinic's site (Node cannot resolve *.localhost). */
async function lead(site: Page, office: string, name: string): Promise<string> {
  const body = {
    kind: 'contact', name, email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.com`, phone: '+1 312 555 0188',
    contact_method: 'email', office, message: 'A question about an appointment.', consent: true, receipt: false,
  };
  const answer = await site.evaluate(async (data) => {
    const res = await fetch('/api/v1/leads', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) });
    return { status: res.status, text: await res.text() };
  }, body);
  expect(answer.status, answer.text).toBe(201);
  return JSON.parse(answer.text).reference as string;
}

test('a clinic admin sets up an office, checks routing, invites its receptionist and archives it', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const stamp = Date.now().toString(36);
  const office = `Lakeview ${stamp}`;
  const slug = `lakeview-${stamp}`;
  const inbox = `lakeview-${stamp}@lakeside-derm.example`;
  await trackWasm(page);
  await signIn(page, 'admin@lakeside-derm.example');

  // Add the office: split hours on Monday, a holiday closure; preview first.
  await page.goto(`${ADMIN}/admin/lakeside/offices/new`);
  await waitForHydration(page);
  await page.getByLabel('Name', { exact: true }).fill(office);
  await page.getByLabel('Street address').fill('700 Shore Drive, Chicago, IL 60640');
  await page.getByLabel('Phone').fill('(312) 555-0140');
  await page.getByLabel('Time zone').selectOption('America/Chicago');
  await page.getByLabel('Monday').fill('08:00-12:00, 13:00-17:00');
  await page.getByLabel('Tuesday').fill('08:00-17:00');
  await page.getByLabel(/^Holiday closures/).fill('2030-12-24 to 2030-12-25 Winter holidays\n12/31/2030 New Year');
  await page.getByLabel(/^Inbox e-mail addresses/).fill(inbox);
  await page.getByLabel(/^ZIP codes this office serves/).fill('60640 60660');
  await page.getByRole('button', { name: 'Preview' }).click();
  // A bad closure line: the message at the field, nothing lost.
  await expect(page.locator('#office-closures-error')).toContainText('Line 2');
  await expect(page.getByLabel('Monday')).toHaveValue('08:00-12:00, 13:00-17:00');
  await page.getByLabel(/^Holiday closures/).fill('2030-12-24 to 2030-12-25 Winter holidays');
  await page.getByRole('button', { name: 'Preview' }).click();
  const preview = page.getByRole('region', { name: /Preview/ });
  await expect(preview.getByRole('heading', { name: office })).toBeVisible();
  await expect(preview).toContainText('8:00 AM – 12:00 PM, 1:00 PM – 5:00 PM');
  await expect(preview).toContainText('Tue 24 Dec 2030 – Wed 25 Dec 2030: Winter holidays');
  await axeClean(page, 'office preview');
  await page.screenshot({ path: 'test-results/screens/admin-office-preview.png', fullPage: true });
  await page.getByRole('button', { name: 'Add the office' }).click();
  await expect(page).toHaveURL(/\/admin\/lakeside\/offices\/\d+\?added=1$/);
  await expect(page.getByText('The office was added.')).toBeVisible();
  const officeUrl = page.url().replace(/\?added=1$/, '');

  // Live on the public site at once.
  const visitor = await browser.newPage();
  await visitor.goto(`${LAKESIDE}/locations`);
  await expect(visitor.getByRole('link', { name: office, exact: true })).toBeVisible();
  await visitor.goto(`${LAKESIDE}/locations/${slug}`);
  await expect(visitor.getByRole('heading', { name: 'Holiday closures' })).toBeVisible();
  await expect(visitor.getByText('Tue 24 Dec 2030 – Wed 25 Dec 2030: Winter holidays')).toBeVisible();

  // Where would a request go? The ZIP code picks the new office.
  await page.goto(`${ADMIN}/admin/lakeside/offices`);
  await waitForHydration(page);
  await page.getByRole('textbox', { name: "Visitor's ZIP code" }).fill('60660');
  await page.getByRole('button', { name: 'Where would it go?' }).click();
  await expect(page.locator('.route-answer')).toContainText(`It would go to ${office}, by the visitor’s ZIP code`);
  await expect(page.locator('.route-answer')).toContainText(inbox);
  await page.getByLabel('Office the visitor chose').selectOption({ label: 'Evanston' });
  await page.getByRole('button', { name: 'Where would it go?' }).click();
  await expect(page.locator('.route-answer')).toContainText('It would go to Evanston, by the office the visitor chose');
  // The ZIP code before the office page: on Evanston's page, a Lakeview ZIP goes to Lakeview.
  await page.getByRole('radio', { name: /The visitor's ZIP code/ }).check();
  await page.getByRole('button', { name: 'Save the order' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'ZIP code decides before' })).toBeVisible();
  await page.getByLabel('Office the visitor chose').selectOption({ label: 'No choice' });
  await page.getByLabel(/^Page the form is on/).fill('/locations/evanston');
  await page.getByRole('button', { name: 'Where would it go?' }).click();
  await expect(page.locator('.route-answer')).toContainText(`It would go to ${office}, by the visitor’s ZIP code`);
  await axeClean(page, 'offices');
  await page.getByRole('radio', { name: /The office page the form is on/ }).check();
  await page.getByRole('button', { name: 'Save the order' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'office of the page the form is on decides' })).toBeVisible();

  // A test e-mail to the office inbox, through the real mail path.
  await page.goto(officeUrl);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Send a test e-mail' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'A test message is on its way' })).toBeVisible();
  await expect.poll(() => mailsTo(inbox).length, { timeout: 20_000 }).toBeGreaterThan(0);
  expect(mailsTo(inbox)[0]).toContain('Test: notices for');
  await axeClean(page, 'office');

  // Invite a receptionist for the new office.
  const receptionist = `desk-${stamp}@lakeside-derm.example`;
  await page.goto(`${ADMIN}/admin/lakeside/people`);
  await waitForHydration(page);
  await page.getByLabel('E-mail address').fill(receptionist);
  await page.getByLabel(/^Name/).fill('Rosa Desk');
  await page.getByLabel('Role', { exact: true }).selectOption('staff');
  await page.getByLabel(/^Office/).selectOption({ label: office });
  await page.getByRole('button', { name: 'Give the role' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'invitation' })).toBeVisible();
  await axeClean(page, 'people');
  let link = '';
  await expect
    .poll(() => {
      const m = mailsTo(receptionist).join('\n').match(/https?:\/\/[^\s]*\/admin\/reset\/[0-9a-f]{64}/);
      link = m ? m[0] : '';
      return link;
    })
    .not.toBe('');

  // Two requests: one for the new office, one for Evanston.
  const ours = await lead(visitor, slug, `Pat Lakeview ${stamp}`);
  const theirs = await lead(visitor, 'evanston', `Lee Evanston ${stamp}`);

  // The receptionist accepts and sees only their office's requests.
  const desk = await (await browser.newContext()).newPage();
  await desk.goto(`${ADMIN}${new URL(link).pathname}`);
  await desk.getByLabel('New password', { exact: true }).fill('front desk password 1');
  await desk.getByLabel('The same password again').fill('front desk password 1');
  await desk.getByRole('button', { name: 'Set the password' }).click();
  await expect(desk).toHaveURL(`${ADMIN}/admin/login`);
  await signIn(desk, receptionist, 'front desk password 1');
  await desk.goto(`${ADMIN}/admin/lakeside/leads`);
  await expect(desk.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(desk.getByText(ours)).toBeVisible();
  await expect(desk.getByText(theirs)).toHaveCount(0);
  const other = await desk.goto(`${ADMIN}/admin/lakeside/leads/${theirs}`);
  expect(other?.status()).toBe(404);
  await axeClean(desk, 'receptionist inbox');

  // The admin sees the receptionist's session and the dashboard's charts.
  await page.reload();
  await waitForHydration(page);
  const row = page.locator('tr', { hasText: receptionist });
  await expect(row).toContainText('Signed in');
  await page.goto(`${ADMIN}/admin/lakeside/dashboard`);
  await expect(page.getByRole('img').first()).toBeVisible();
  await axeClean(page, 'dashboard');

  // Archive the office: off the public site, restorable.
  await page.goto(officeUrl);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Archive the office' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'is archived' })).toBeVisible();
  const gone = await visitor.goto(`${LAKESIDE}/locations/${slug}`);
  expect(gone?.status()).toBe(404);
  await visitor.goto(`${LAKESIDE}/locations`);
  await expect(visitor.getByRole('link', { name: office, exact: true })).toHaveCount(0);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the office preview comes back with what was typed', async ({ page }) => {
    await signIn(page, 'admin@lakeside-derm.example');
    await page.goto(`${ADMIN}/admin/lakeside/offices/new`);
    await page.getByLabel('Name', { exact: true }).fill('Northshore');
    await page.getByLabel('Street address').fill('1 Lake Road, Evanston, IL 60201');
    await page.getByLabel('Phone').fill('(847) 555-0102');
    await page.getByLabel('Time zone').selectOption('America/Chicago');
    await page.getByLabel('Wednesday').fill('09:00-13:00, 14:00-18:00');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: /Preview/ });
    await expect(preview.getByRole('heading', { name: 'Northshore' })).toBeVisible();
    await expect(preview).toContainText('9:00 AM – 1:00 PM, 2:00 PM – 6:00 PM');
    await expect(page.getByLabel('Wednesday')).toHaveValue('09:00-13:00, 14:00-18:00');
    await expect(page.getByLabel('Time zone')).toHaveValue('America/Chicago');
    // Bad hours: refused at the field, the typing kept, nothing saved.
    await page.getByLabel('Thursday').fill('25:00-26:00');
    await page.getByRole('button', { name: 'Add the office' }).click();
    await expect(page.locator('#office-thu-error')).toContainText('Thursday');
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Northshore');
  });
});
