/**
 * The network owner in a real browser: adds a clinic (a host name another
 * clinic owns is refused next to the field, with what was typed kept),
 * sees it live, appoints its admin by invitation, who sets a password and
 * signs in to it; archives it (410 Gone) and restores it. Axe on the page.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_DATA, ADMIN_PORT as PORT, trackWasm, waitForHydration } from './support';

const PMC = `http://pmc.localhost:${PORT}`;
const PASSWORD = 'demo-password-2026';

async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${PMC}/admin/login`);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
}

/** The text of the mail sent to `to` (quoted-printable soft breaks undone), or "". */
function mailTo(to: string): string {
  const dir = join(ADMIN_DATA, 'mail');
  for (const f of readdirSync(dir)) {
    const text = readFileSync(join(dir, f), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    if (text.includes(`To: ${to}`)) return text;
  }
  return '';
}

async function axeClean(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${name}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

test('the owner adds a clinic, appoints its admin, archives and restores it', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const stamp = Date.now().toString(36);
  const slug = `harbor-${stamp}`;
  const name = `Harbor Physical Therapy ${stamp}`;
  const site = `http://${slug}.localhost:${PORT}`;
  await trackWasm(page);
  await signIn(page, 'olivia@clinicpress.example');
  await page.getByRole('link', { name: 'Manage clinics' }).click();
  await expect(page).toHaveURL(`${PMC}/admin/network`);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Clinics');
  await axeClean(page, 'clinics');

  // A host name that belongs to another clinic: refused at the field, the typing kept.
  const form = page.locator('form.clinic-form').first();
  await form.getByLabel(/^Slug/).fill(slug);
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel(/^Host names/).fill('www.pmc.example');
  await form.getByLabel(/^Default inbox/).fill(`desk@${slug}.example`);
  await form.getByRole('button', { name: 'Add the clinic' }).click();
  await expect(form.locator('#new-clinic-hosts-error')).toContainText('belongs to Pain Medicine Consultants');
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue(name);
  await expect(form.getByLabel(/^Host names/)).toHaveAttribute('aria-invalid', 'true');
  await axeClean(page, 'clinics with an error');

  await form.getByLabel(/^Host names/).fill(`www.${slug}.example`);
  await form.getByRole('button', { name: 'Add the clinic' }).click();
  await expect(form.getByRole('status')).toContainText('The clinic was added');
  await page.screenshot({ path: 'test-results/screens/admin-network.png', fullPage: true });

  // Live at once on its test address.
  const visitor = await browser.newPage();
  await visitor.goto(`${site}/`);
  await expect(visitor.getByText(name).first()).toBeVisible();

  // Appoint its admin: an invitation by e-mail.
  await form.getByRole('link', { name: 'appoint its admins' }).click();
  await expect(page).toHaveURL(`${PMC}/admin/${slug}/people`);
  await waitForHydration(page);
  const admin = `lead-${stamp}@harbor.example`;
  await page.getByLabel('E-mail address').fill(admin);
  await page.getByLabel(/^Name/).fill('Hana Harbor');
  await page.getByLabel('Role', { exact: true }).selectOption('admin');
  await page.getByRole('button', { name: 'Give the role' }).click();
  await expect(page.getByRole('status')).toContainText('invitation');
  let link = '';
  await expect
    .poll(() => {
      const m = mailTo(admin).match(/https?:\/\/[^\s]*\/admin\/reset\/[0-9a-f]{64}/);
      link = m ? m[0] : '';
      return link;
    })
    .not.toBe('');

  // The new admin chooses a password and signs in to the clinic.
  const newcomer = await browser.newPage();
  await newcomer.goto(`${PMC}${new URL(link).pathname}`);
  await newcomer.getByLabel('New password', { exact: true }).fill('harbor admin password');
  await newcomer.getByLabel('The same password again').fill('harbor admin password');
  await newcomer.getByRole('button', { name: 'Set the password' }).click();
  await expect(newcomer).toHaveURL(`${PMC}/admin/login`);
  await signIn(newcomer, admin, 'harbor admin password');
  await expect(newcomer.getByRole('link', { name })).toBeVisible();
  await newcomer.goto(`${PMC}/admin/${slug}/offices`);
  await expect(newcomer.getByRole('heading', { level: 1 })).toHaveText('Offices');
  await newcomer.goto(`${PMC}/admin/network`);
  await expect(newcomer.getByRole('button', { name: /Add the clinic/ })).toHaveCount(0);

  // Archived: the site answers 410 Gone; restored: back.
  await page.goto(`${PMC}/admin/network`);
  await waitForHydration(page);
  const card = page.locator('li', { has: page.getByRole('heading', { name }) });
  await card.getByRole('button', { name: `Archive ${name}` }).click();
  await expect(card.getByRole('status')).toContainText('410 Gone');
  const gone = await visitor.goto(`${site}/`);
  expect(gone?.status()).toBe(410);
  await expect(visitor.getByRole('heading', { level: 1 })).toContainText('is no longer online');
  await page.reload();
  await waitForHydration(page);
  await page.locator('li', { has: page.getByRole('heading', { name }) }).getByRole('button', { name: `Restore ${name}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "restored" })).toBeVisible();
  const back = await visitor.goto(`${site}/`);
  expect(back?.status()).toBe(200);
});
