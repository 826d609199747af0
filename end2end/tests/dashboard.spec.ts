/**
 * The clinic dashboard as a clinic admin sees it: the charts are images
 * with accessible names, each with a data table, the page is axe-clean at
 * desktop and phone widths, and it works with JavaScript off.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { PMC, trackWasm, waitForHydration } from './support';

const DEMO_PASSWORD = 'demo-password-2026';
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const DASHBOARD = `${PMC}/admin/lakeside/dashboard`;

async function axeClean(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  expect(results.violations.map((v) => `${label}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`${PMC}/admin/login`);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
}

async function checkCharts(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dashboard');
  const leads = page.getByRole('img', { name: /^Requests per office, last 12 weeks/ });
  const response = page.getByRole('img', { name: /^Time to first response per office against the target/ });
  const posts = page.getByRole('img', { name: /^Posts published per month, last 12 months/ });
  for (const chart of [leads, response, posts]) {
    await expect(chart).toBeVisible();
  }
  // The descriptions carry the figures: both Lakeside offices are named.
  await expect(leads).toHaveAccessibleName(/Evanston \d+, Oak Park \d+/);
  await expect(response).toHaveAccessibleName(/Evanston: median .*90th percentile/);
  // Each chart has its figures as a table under it.
  await page.getByText('Show the figures as a table').first().click();
  const table = page.getByRole('table', { name: /Time to first response per office/ });
  await expect(table).toBeVisible();
  await expect(table.getByRole('rowheader', { name: 'Evanston' })).toBeVisible();
  await expect(table.getByRole('columnheader', { name: '90th percentile' })).toBeVisible();
}

test('a clinic admin reads the dashboard: charts with names, tables, axe-clean', async ({ page }) => {
  test.setTimeout(90_000);
  await trackWasm(page);
  await signIn(page, 'admin@lakeside-derm.example');
  await page.goto(`${PMC}/admin/lakeside/offices`);
  // The dashboard comes first in the admin bar.
  const nav = page.getByRole('navigation', { name: 'Admin sections' });
  await expect(nav.getByRole('link').first()).toHaveText('Dashboard');
  await nav.getByRole('link', { name: 'Dashboard' }).click();
  await expect(page).toHaveURL(DASHBOARD);
  await waitForHydration(page);
  await checkCharts(page);
  await expect(page.getByRole('heading', { name: 'Searches that found nothing' })).toBeVisible();
  await axeClean(page, 'dashboard');
  await page.screenshot({ path: 'test-results/screens/admin-dashboard.png', fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole('img', { name: /^Requests per office/ })).toBeVisible();
  // Nothing wider than the phone's screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await axeClean(page, 'dashboard at 390 px');
  await page.screenshot({ path: 'test-results/screens/admin-dashboard-phone.png', fullPage: true });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the dashboard is complete without JavaScript', async ({ page }) => {
    await signIn(page, 'admin@lakeside-derm.example');
    await page.goto(DASHBOARD);
    await checkCharts(page);
    // (axe-core needs JavaScript; the same markup is checked above.)
  });
});
