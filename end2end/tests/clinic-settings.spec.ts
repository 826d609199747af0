/**
 * Clinic settings in a real browser, with and without JavaScript: a brand
 * colour white text cannot be read on is refused next to the field with
 * its contrast ratio (what was typed kept), a good one is saved and shows
 * on the site; a logo replaces the letter mark in the header. Axe on the
 * page, also with the error showing.
 *
 * The test works on a clinic of its own (added by the network owner, who
 * may do anything in every clinic), so the demo clinics' colours that
 * other tests check stay as they are.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { ADMIN_PORT as PORT, trackWasm, waitForHydration } from './support';

const PMC = `http://pmc.localhost:${PORT}`;
const PASSWORD = 'demo-password-2026';
/** A 1 × 1 transparent PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`${PMC}/admin/login`);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
}

async function axeClean(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${name}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** The network owner adds a clinic for this test; returns its slug and name. */
async function newClinic(page: Page): Promise<{ slug: string; name: string }> {
  const stamp = Date.now().toString(36);
  const slug = `brand-${stamp}`;
  const name = `Brandwell Clinic ${stamp}`;
  await page.goto(`${PMC}/admin/network`);
  await waitForHydration(page);
  const form = page.locator('form.clinic-form').first();
  await form.getByLabel(/^Slug/).fill(slug);
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel(/^Host names/).fill(`www.${slug}.example`);
  await form.getByLabel(/^Default inbox/).fill(`desk@${slug}.example`);
  await form.getByRole('button', { name: 'Add the clinic' }).click();
  await expect(form.getByRole('status')).toContainText('The clinic was added');
  return { slug, name };
}

test('brand colour and logo, with JavaScript and without', async ({ page, browser }) => {
  test.setTimeout(90_000);
  await trackWasm(page);
  await signIn(page, 'olivia@clinicpress.example');
  const { slug, name } = await newClinic(page);
  const settings = `${PMC}/admin/${slug}/settings`;
  const site = `http://${slug}.localhost:${PORT}`;

  // With JavaScript: the ratio follows the typing; a failing colour is refused at the field.
  await page.goto(settings);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Clinic settings');
  await axeClean(page, 'clinic settings');
  const colour = page.getByLabel('Brand colour');
  await colour.fill('#7fd3ff');
  await expect(page.locator('#cs-brand_color-contrast')).toContainText('1.6:1 — too low');
  await page.getByRole('button', { name: 'Save name and colour' }).click();
  await expect(page.locator('#cs-brand_color-error')).toHaveText(
    'White text on #7fd3ff has a contrast of 1.6:1; WCAG AA needs 4.5:1. Choose a darker colour.',
  );
  await expect(page.getByLabel('Brand colour')).toHaveValue('#7fd3ff');
  await expect(page.getByLabel('Brand colour')).toHaveAttribute('aria-invalid', 'true');
  await axeClean(page, 'clinic settings with an error');
  await page.getByLabel('Brand colour').fill('#234e70');
  await page.getByLabel(/^Tagline/).fill('Care close to home');
  await page.getByRole('button', { name: 'Save name and colour' }).click();
  await expect(page).toHaveURL(`${settings}?saved=1`);
  await expect(page.getByRole('status')).toContainText('Saved');
  const visitor = await browser.newPage();
  await visitor.goto(`${site}/`);
  await expect(visitor.locator('body')).toHaveAttribute('style', /--brand: #234e70/);
  await expect(visitor.getByText('Care close to home', { exact: true })).toBeVisible();

  // The logo replaces the letter mark; removing it brings the mark back.
  await page.getByLabel('Upload a logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
  await page.getByRole('button', { name: 'Upload the logo' }).click();
  await expect(page).toHaveURL(`${settings}?saved=logo`);
  await visitor.reload();
  await expect(visitor.locator('header .brand img.brand-logo')).toHaveAttribute('alt', name);
  await expect(visitor.locator('header .brand-mark')).toHaveCount(0);
  await page.getByLabel('Replace the logo').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not an image') });
  await page.getByRole('button', { name: 'Upload the logo' }).click();
  await expect(page.locator('#cs-logo-error')).toContainText('not a PNG, JPEG or WebP image');
  await page.getByRole('button', { name: 'Remove the logo' }).click();
  await expect(page).toHaveURL(`${settings}?saved=logo-removed`);
  await visitor.reload();
  await expect(visitor.locator('header .brand-mark')).toBeVisible();

  // Without JavaScript: the same plain forms.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await signIn(plain, 'olivia@clinicpress.example');
  await plain.goto(settings);
  await plain.getByLabel('Brand colour').fill('#777777');
  await plain.getByLabel('Clinic name').fill(`${name} (typed)`);
  await plain.getByRole('button', { name: 'Save name and colour' }).click();
  await expect(plain.locator('#cs-brand_color-error')).toContainText('4.4:1; WCAG AA needs 4.5:1');
  await expect(plain.getByLabel('Brand colour')).toHaveValue('#777777');
  await expect(plain.getByLabel('Clinic name')).toHaveValue(`${name} (typed)`);
  await plain.getByLabel('Brand colour').fill('#5a2d82');
  await plain.getByLabel('Clinic name').fill(name);
  await plain.getByRole('button', { name: 'Save name and colour' }).click();
  await expect(plain).toHaveURL(`${settings}?saved=1`);
  await visitor.reload();
  await expect(visitor.locator('body')).toHaveAttribute('style', /--brand: #5a2d82/);
  await context.close();
});
