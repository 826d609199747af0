/**
 * The editorial workflow in a real browser: sign in, write with live
 * preview, save, schedule a minute ahead and see the post go live with no
 * one visiting it, change its slug and follow the old link, restore a
 * revision; bad input; another clinic's admin area; axe on admin pages.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_DATA, ADMIN_PORT as PORT, trackWasm, waitForHydration } from './support';

/** Pain Medicine Consultants on the admin tests' own server. */
const PMC = `http://pmc.localhost:${PORT}`;

/** A GET of a pmc page from outside the browser (Node does not resolve *.localhost). */
async function fetchPmc(request: APIRequestContext, path: string) {
  return request.get(`http://127.0.0.1:${PORT}${path}`, {
    headers: { host: `pmc.localhost:${PORT}` },
    maxRedirects: 0,
  });
}

export const DEMO_PASSWORD = 'demo-password-2026';

async function signIn(page: Page, email = 'maria@pmc.example'): Promise<void> {
  await page.goto(`${PMC}/admin/login`);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
}

/** Start a post from the list and wait for the hydrated editor. */
async function newPost(page: Page, title: string): Promise<string> {
  await trackWasm(page);
  await page.goto(`${PMC}/admin/pmc/posts`);
  await waitForHydration(page);
  await page.getByLabel('New post title').fill(title);
  await page.getByRole('button', { name: 'Start writing' }).click();
  await expect(page).toHaveURL(/\/admin\/pmc\/posts\/\d+$/);
  await expect(page.locator('#title')).toHaveValue(title);
  return page.url();
}

/** `YYYY-MM-DDTHH:MM:SS` in the clinic's time zone, `seconds` from now. */
function losAngeles(secondsAhead: number): string {
  const d = new Date(Date.now() + secondsAhead * 1000);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: 'America/Los_Angeles',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

test('a marketer writes, schedules, renames and restores a post', async ({ page, request }) => {
  test.setTimeout(180_000);
  await signIn(page);
  const title = `Desk stretches that ease neck pain ${Date.now()}`;
  const editorUrl = await newPost(page, title);

  // Markdown on the left, the sanitised preview on the right, live.
  const body = page.getByLabel('Text (Markdown)');
  await body.fill('## Why stretching helps\n\nShort breaks matter.\n\n- Neck rolls\n- Shoulder shrugs\n');
  const preview = page.locator('.preview');
  await expect(preview.locator('h2')).toHaveText('Why stretching helps');
  await expect(preview.locator('li')).toHaveCount(2);
  await expect(page.locator('.save-state')).toContainText('Unsaved changes');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('.save-state')).toContainText(/Saved \d\d:\d\d/);

  // Schedule about a minute ahead, in the clinic's time zone.
  const slug = await page.locator('#slug').inputValue();
  await page.locator('#publish_at').fill(losAngeles(65));
  await page.getByRole('button', { name: 'Schedule' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Scheduled for' })).toBeVisible();
  const publicUrl = `${PMC}/blog/${slug}`;
  expect((await fetchPmc(request, `/blog/${slug}`)).status()).toBe(404);
  // The background publisher makes it public; nobody opens the page meanwhile.
  await page.goto('about:blank');
  await expect
    .poll(async () => (await fetchPmc(request, `/blog/${slug}`)).status(), { timeout: 140_000, intervals: [5_000] })
    .toBe(200);

  // Change the slug: the old address answers 301 to the new one.
  await trackWasm(page);
  await page.goto(editorUrl);
  await waitForHydration(page);
  await expect(page.locator('.save-state')).toContainText('Published');
  await page.locator('#slug').fill(`${slug}-moved`);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('.save-state')).toContainText(/Saved \d\d:\d\d/);
  const old = await fetchPmc(request, `/blog/${slug}`);
  expect(old.status()).toBe(301);
  expect(old.headers()['location']).toBe(`/blog/${slug}-moved`);
  await page.goto(publicUrl);
  await expect(page).toHaveURL(`${PMC}/blog/${slug}-moved`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);

  // Replace the text, then restore the revision before that.
  await trackWasm(page);
  await page.goto(editorUrl);
  await waitForHydration(page);
  await page.getByLabel('Text (Markdown)').fill('Replaced by mistake.');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('.save-state')).toContainText(/Saved \d\d:\d\d/);
  await trackWasm(page);
  await page.getByRole('link', { name: 'Revisions' }).click();
  await waitForHydration(page);
  // The two newest revisions are preselected for comparison.
  await trackWasm(page);
  await page.getByRole('button', { name: 'Compare the chosen revisions' }).click();
  await waitForHydration(page);
  await expect(page.locator('.diff ins')).toContainText('Replaced by mistake.');
  await expect(page.locator('.diff del').first()).toContainText('Why stretching helps');
  await page.locator('tbody tr').nth(1).getByRole('button', { name: /Restore/ }).click();
  await expect(page).toHaveURL(editorUrl);
  await expect(page.getByLabel('Text (Markdown)')).toHaveValue(/Neck rolls/);
});

test('a preview link shows the draft to someone without an account', async ({ page, browser }) => {
  await signIn(page);
  const title = `Draft for review ${Date.now()}`;
  await newPost(page, title);
  await page.getByLabel('Text (Markdown)').fill('## What to expect\n\nA first visit takes about an hour.');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('.save-state')).toContainText(/Saved/);
  await page.getByRole('button', { name: 'Share a preview link' }).click();
  const link = await page.getByLabel('Preview link (no sign-in needed)').inputValue();
  expect(link).toMatch(new RegExp(`^http://pmc\\.localhost:${PORT}/preview/[0-9a-f]{64}$`));
  const stranger = await browser.newContext();
  const view = await stranger.newPage();
  const res = await view.goto(link);
  expect(res?.status()).toBe(200);
  await expect(view.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(view.getByRole('note')).toContainText('not public');
  await expect(view.locator('meta[name="robots"]')).toHaveAttribute('content', /noindex/);
  await stranger.close();
});

test('renaming a tag keeps its old address working', async ({ page, request }) => {
  await signIn(page);
  await trackWasm(page);
  await page.goto(`${PMC}/admin/pmc/terms`);
  await waitForHydration(page);
  const tags = page.locator('#tag-section').locator('..');
  const firstRow = tags.locator('tbody tr').first();
  const oldPath = (await firstRow.locator('.muted').first().textContent()) ?? '';
  await firstRow.getByText(/^Rename/).click();
  await firstRow.getByLabel('Name').fill('Renamed topic');
  await firstRow.getByLabel('Address (slug)').fill('renamed-topic');
  await firstRow.getByRole('button', { name: 'Save' }).click();
  await expect(tags.locator('tbody')).toContainText('/blog/tag/renamed-topic');
  const old = await fetchPmc(request, oldPath);
  expect(old.status()).toBe(301);
  expect(old.headers()['location']).toBe('/blog/tag/renamed-topic');
});

/** A 1×1 PNG, written by hand for the upload test. */
const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

test('an uploaded image with alt text becomes a featured image', async ({ page }) => {
  await signIn(page);
  await page.goto(`${PMC}/admin/pmc/media`);
  // A text file named .jpg is refused, with the reason.
  await page.getByLabel('Image file').setInputFiles({ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not an image') });
  await page.getByLabel('Alt text').fill('Our front desk');
  await page.getByRole('button', { name: 'Upload' }).click();
  await expect(page.getByRole('alert')).toContainText('not a JPEG, PNG or WebP image');
  await expect(page.getByLabel('Alt text')).toHaveValue('Our front desk');
  await page.getByLabel('Image file').setInputFiles({ name: 'front-desk.png', mimeType: 'image/png', buffer: PIXEL_PNG });
  await page.getByRole('button', { name: 'Upload' }).click();
  await expect(page.getByRole('status')).toContainText('Uploaded "front-desk.png"');
  await expect(page.getByRole('img', { name: 'Our front desk' }).first()).toBeVisible();

  await newPost(page, `Meet our front desk ${Date.now()}`);
  await page.getByLabel('Choose an uploaded image').selectOption({ label: 'front-desk.png (Our front desk)' });
  await expect(page.getByLabel('Alt text (required with an image)')).toHaveValue('Our front desk');
  await page.getByLabel('Text (Markdown)').fill('Say hello when you arrive.');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('.save-state')).toContainText(/Saved \d\d:\d\d/);
});

test('bad input is explained and what was typed stays', async ({ page }) => {
  await signIn(page);
  await newPost(page, `Knee pain basics ${Date.now()}`);
  await page.locator('#slug').fill('Knee Pain Basics');
  await page.getByLabel('Text (Markdown)').fill('Some text I must not lose.');
  await page.locator('#featured_image').fill('https://images.example/knee.jpg');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'not saved' });
  await expect(alert).toContainText('Address (slug)');
  await expect(alert).toContainText('Image alt text');
  await expect(page.locator('#slug')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Text (Markdown)')).toHaveValue('Some text I must not lose.');
  await expect(page.locator('#slug')).toHaveValue('Knee Pain Basics');
  // A schedule in the past is refused with the reason.
  await page.locator('#slug').fill('');
  await page.locator('#featured_image').fill('');
  await page.locator('#publish_at').fill('2020-01-01T09:00');
  await page.getByRole('button', { name: 'Schedule' }).click();
  await expect(page.locator('#publish-error')).toContainText('in the past');
});

test('leaving with unsaved changes asks first', async ({ page }) => {
  await signIn(page);
  await newPost(page, `Unsaved ${Date.now()}`);
  await page.getByLabel('Text (Markdown)').fill('Not saved yet');
  const dialog = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  const d = await dialog;
  expect(d.type()).toBe('beforeunload');
  await d.dismiss();
});

test('another clinic’s admin area does not exist for this user', async ({ page }) => {
  await signIn(page);
  const res = await page.goto(`${PMC}/admin/lakeside/posts`);
  expect(res?.status()).toBe(404);
  await expect(page.locator('body')).not.toContainText('Lakeside Family Dermatology');
});

test('a user of two clinics switches between them', async ({ page }) => {
  await signIn(page, 'sam@clinicpress.example');
  await page.goto(`${PMC}/admin/pmc/posts`);
  await page.locator('.clinic-switcher summary').click();
  await page.getByRole('link', { name: /Lakeside Family Dermatology/ }).click();
  // The switcher opens the other clinic's dashboard.
  await expect(page).toHaveURL(/\/admin\/lakeside\/dashboard$/);
  await expect(page.locator('.clinic-switcher summary')).toContainText('Lakeside Family Dermatology');
});

test('signing in works without JavaScript and keeps the e-mail on error', async ({ browser }: { browser: Browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${PMC}/admin/pmc/posts`);
  await expect(page).toHaveURL(/\/admin\/login\?next=/);
  await page.getByLabel('E-mail address').fill('maria@pmc.example');
  await page.getByLabel('Password', { exact: true }).fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('password is wrong');
  await expect(page.getByLabel('E-mail address')).toHaveValue('maria@pmc.example');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`${PMC}/admin/pmc/posts`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Posts');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(`${PMC}/admin/login`);
  await context.close();
});

test('two tabs saving the same post: the second gets a conflict and keeps its text', async ({ page, context }) => {
  await signIn(page);
  const url = await newPost(page, `Two tabs ${Date.now()}`);
  const other = await context.newPage();
  await trackWasm(other);
  await other.goto(url);
  await waitForHydration(other);

  await page.getByLabel('Text (Markdown)').fill('Written in the first tab.');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('.save-state')).toContainText(/Saved \d\d:\d\d/);

  await other.getByLabel('Text (Markdown)').fill('Written in the second tab.');
  await other.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(other.getByRole('alert').filter({ hasText: 'saved a newer version' })).toContainText('Nothing was overwritten');
  await expect(other.getByLabel('Text (Markdown)')).toHaveValue('Written in the second tab.');

  // Both versions are kept: the first as the post, the second as a revision.
  await page.goto(`${url}/revisions`);
  await expect(page.locator('tbody')).toContainText('Not applied');
  await page.goto(url);
  await expect(page.getByLabel('Text (Markdown)')).toHaveValue('Written in the first tab.');
  await other.close();
});

/** The newest mail in the admin server's mail folder, with quoted-printable soft breaks undone. */
function newestMail(): string {
  const dir = join(ADMIN_DATA, 'mail');
  const files = readdirSync(dir)
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return readFileSync(files[0], 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
}

test('the page a reset link opens explains mistakes and has no axe violations', async ({ page }) => {
  await page.goto(`${PMC}/admin/reset`);
  await page.getByLabel('E-mail address').fill('sam@clinicpress.example');
  await page.getByRole('button', { name: /Send/ }).click();
  await expect(page.getByRole('status')).toContainText('on its way');
  let link = '';
  await expect
    .poll(() => {
      const m = newestMail().match(/https?:\/\/[^\s]*\/admin\/reset\/[0-9a-f]{64}/);
      link = m ? m[0] : '';
      return newestMail().includes('To: sam@clinicpress.example') ? link : '';
    })
    .not.toBe('');
  const path = new URL(link).pathname;
  await page.goto(`${PMC}${path}`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  const axe = async (name: string) => {
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
    expect(results.violations.map((v) => `${name}: ${v.id}`)).toEqual([]);
  };
  await axe('reset form');
  await page.getByLabel('New password', { exact: true }).fill('a brand new password');
  await page.getByLabel('The same password again').fill('a different password');
  await page.getByRole('button', { name: 'Set the password' }).click();
  await expect(page.getByRole('alert')).toContainText(/differ|match/);
  await axe('reset form with an error');
  await page.screenshot({ path: 'test-results/screens/admin-reset.png', fullPage: true });
});

test('admin pages have no axe violations', async ({ page }) => {
  test.setTimeout(60_000);
  const check = async (name: string) => {
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
    expect(results.violations.map((v) => `${name}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  };
  await page.goto(`${PMC}/admin/login`);
  await check('sign in');
  await page.goto(`${PMC}/admin/reset`);
  await check('reset');
  await signIn(page);
  await check('admin home');
  await page.goto(`${PMC}/admin/pmc/posts`);
  await check('post list');
  await page.goto(`${PMC}/admin/pmc/media`);
  await check('images');
  // A search that finds nothing shows up for the clinic's marketers.
  await page.goto(`${PMC}/search?q=cupping+zeolite`);
  await page.goto(`${PMC}/admin/pmc/searches`);
  await expect(page.getByRole('cell', { name: 'cupping zeolite' })).toBeVisible();
  await check('searches that found nothing');
  await page.goto(`${PMC}/admin/pmc/terms`);
  await page.getByText(/^Rename/).first().click();
  await check('categories, tags and authors');
  const url = await newPost(page, `Axe check ${Date.now()}`);
  await page.getByLabel('Text (Markdown)').fill('## A heading\n\nText.');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('.save-state')).toContainText(/Saved/);
  await check('editor');
  await page.goto(`${url}/revisions`);
  await check('revisions');
  await page.screenshot({ path: 'test-results/screens/admin-revisions.png', fullPage: true });
  await page.goto(url);
  await page.screenshot({ path: 'test-results/screens/admin-editor.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await check('editor at phone width');
  await page.screenshot({ path: 'test-results/screens/admin-editor-phone.png', fullPage: true });
  await page.goto(`${PMC}/admin/pmc/posts`);
  await check('post list at phone width');
  await page.screenshot({ path: 'test-results/screens/admin-posts-phone.png', fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  // The audit log, as a clinic admin.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, 'admin@lakeside-derm.example');
  await page.goto(`${PMC}/admin/lakeside/audit`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Audit log');
  await check('audit log');
});

test('a clinic admin gives a role, invites someone new and takes a role away', async ({ page }) => {
  test.setTimeout(60_000);
  await trackWasm(page);
  await signIn(page, 'admin@lakeside-derm.example');
  await page.goto(`${PMC}/admin/lakeside/people`);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('People');
  // Staff without an office: the message is next to the field, and what was typed stays.
  const email = `reception-${Date.now()}@lakeside.example`;
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel(/^Name/).fill('Robin Reception');
  await page.getByLabel('Role', { exact: true }).selectOption('staff');
  await page.getByRole('button', { name: 'Give the role' }).click();
  await expect(page.locator('#member-office-error')).toContainText('choose it');
  await expect(page.getByLabel('E-mail address')).toHaveValue(email);
  await page.getByLabel(/^Office/).selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Give the role' }).click();
  await expect(page.getByRole('status')).toContainText('invitation');
  const row = page.getByRole('row', { name: new RegExp(email.replace(/[.]/g, '\\.')) });
  await expect(row).toContainText('Office staff');
  await expect(row).toContainText('invited');
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `people: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await page.screenshot({ path: 'test-results/screens/admin-people.png', fullPage: true });
  // Taking the role away removes the row (no other role here).
  await row.getByRole('button', { name: /Remove the role/ }).click();
  await expect(page.getByRole('row', { name: new RegExp(email.replace(/[.]/g, '\\.')) })).toHaveCount(0);
});

test('admin forms work without JavaScript and keep what was typed', async ({ browser }: { browser: Browser }) => {
  test.setTimeout(60_000);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, 'admin@lakeside-derm.example');

  // People: staff without an office is refused; the page comes back with everything typed.
  await page.goto(`${PMC}/admin/lakeside/people`);
  const email = `nojs-${Date.now()}@lakeside.example`;
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel(/^Name/).fill('Noel Nojs');
  await page.getByLabel('Role', { exact: true }).selectOption('staff');
  await page.getByRole('button', { name: 'Give the role' }).click();
  await expect(page.locator('#member-office-error')).toContainText('choose it');
  await expect(page.getByLabel('E-mail address')).toHaveValue(email);
  await expect(page.getByLabel(/^Name/)).toHaveValue('Noel Nojs');
  await expect(page.getByLabel('Role', { exact: true })).toHaveValue('staff');
  await page.screenshot({ path: 'test-results/screens/admin-people-refused-nojs.png', fullPage: true });
  await page.getByLabel(/^Office/).selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Give the role' }).click();
  await expect(page).toHaveURL(`${PMC}/admin/lakeside/people`);
  await expect(page.getByRole('status')).toContainText('invitation');
  await expect(page.getByRole('row', { name: new RegExp(email.replace(/[.]/g, '\\.')) })).toContainText('Office staff');

  // Offices: impossible hours are refused with the typed name and hours kept; then saved.
  await page.goto(`${PMC}/admin/lakeside/offices`);
  await page.locator('table.offices tbody a').first().click();
  await expect(page).toHaveURL(/\/admin\/lakeside\/offices\/\d+$/);
  const office = page.url();
  const name = await page.getByLabel('Name', { exact: true }).inputValue();
  const monday = await page.getByLabel('Monday').inputValue();
  await page.getByLabel('Name', { exact: true }).fill(`${name} (typed)`);
  await page.getByLabel('Monday').fill('25:00-26:00');
  await page.getByRole('button', { name: 'Save the office' }).click();
  await expect(page.getByRole('alert')).toContainText('The office was not saved');
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue(`${name} (typed)`);
  await expect(page.getByLabel('Monday')).toHaveValue('25:00-26:00');
  await expect(page.getByLabel('Monday')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Monday').fill(monday);
  await page.getByRole('button', { name: 'Save the office' }).click();
  await expect(page).toHaveURL(office);
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await context.close();
});
