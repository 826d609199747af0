/**
 * axe-core finds no WCAG 2.0/2.1/2.2 A and AA violations on any admin page
 * (issue: speed and front-end quality): one walk, signed in as the network
 * owner, through every page of the admin area — sign-in and password reset,
 * the network, and each page of one clinic (a post, its revisions, an office
 * and a request included) — each after hydration. Read-only: it runs on the
 * reading tests' server and changes nothing.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { PMC, trackWasm, waitForHydration } from './support';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function violations(page: Page, name: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return results.violations.map((v) => `${name}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Open `path`, wait for hydration and the page's heading, and check it. */
async function visit(page: Page, path: string, name: string, found: string[]): Promise<void> {
  const res = await page.goto(`${PMC}${path}`);
  expect(res?.status(), `${name} (${path})`).toBe(200);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 }).first(), name).toBeVisible();
  found.push(...(await violations(page, name)));
}

/** The address of the first link under `selector` on the current page. */
async function firstLink(page: Page, selector: string): Promise<string> {
  const href = await page.locator(selector).first().getAttribute('href');
  expect(href, selector).toBeTruthy();
  return new URL(href!, PMC).pathname;
}

test('every admin page is axe-clean', async ({ page }) => {
  test.setTimeout(240_000);
  await trackWasm(page);
  const found: string[] = [];

  // Signed out: sign-in, the reset request and a reset link that is not valid.
  await visit(page, '/admin/login', 'sign-in', found);
  await visit(page, '/admin/reset', 'password reset request', found);
  const bad = await page.goto(`${PMC}/admin/reset/${'0'.repeat(64)}`);
  expect(bad?.status()).toBeLessThan(500);
  await waitForHydration(page);
  found.push(...(await violations(page, 'reset link not valid')));

  await page.goto(`${PMC}/admin/login`);
  await page.getByLabel('E-mail address').fill('olivia@clinicpress.example');
  await page.getByLabel('Password', { exact: true }).fill('demo-password-2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);

  await visit(page, '/admin', 'admin home', found);
  await visit(page, '/admin/network', 'network', found);
  for (const [path, name] of [
    ['dashboard', 'dashboard'],
    ['posts', 'posts'],
    ['terms', 'categories and tags'],
    ['media', 'media'],
    ['searches', 'searches that found nothing'],
    ['people', 'people'],
    ['offices', 'offices'],
    ['lead-settings', 'request settings'],
    ['settings', 'clinic settings'],
    ['audit', 'audit log'],
    ['leads', 'requests'],
  ]) {
    await visit(page, `/admin/pmc/${path}`, name, found);
  }

  // One of each: a request, an office, a post and its revisions, a new post.
  await visit(page, '/admin/pmc/leads', 'requests', []);
  await visit(page, await firstLink(page, 'main a[href*="/admin/pmc/leads/"]'), 'a request', found);
  await visit(page, '/admin/pmc/offices', 'offices', []);
  await visit(page, await firstLink(page, 'table.offices tbody a[href*="/admin/pmc/offices/"]'), 'an office', found);
  await visit(page, '/admin/pmc/offices/new', 'new office', found);
  await visit(page, '/admin/pmc/posts', 'posts', []);
  const post = await firstLink(page, 'main a[href^="/admin/pmc/posts/"]');
  await visit(page, post, 'post editor', found);
  await visit(page, `${post}/revisions`, 'revisions', found);

  expect(found).toEqual([]);
});
