/**
 * Search in a real browser: the header box suggests titles as you type
 * (keyboard and mouse), the results page filters by facets and sorts, and
 * everything also works with JavaScript off; axe-core clean throughout.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { PMC, trackWasm, waitForHydration } from './support';

async function axe(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations.map((v) => `${name}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

test('typing in the header box suggests titles; the keyboard picks one', async ({ page }) => {
  await trackWasm(page);
  await page.goto(`${PMC}/`);
  // No waiting for hydration: typing in the box loads the bundle, and what
  // was typed meanwhile stays and gets its suggestions.
  const box = page.getByRole('combobox', { name: 'Search articles' });
  await box.pressSequentially('keta', { delay: 30 });
  const list = page.getByRole('listbox', { name: 'Suggested articles' });
  await expect(list.getByRole('option').first()).toContainText('Ketamine Infusions', { timeout: 20_000 });
  await expect(box).toHaveValue('keta');
  await waitForHydration(page);
  await expect(box).toHaveAttribute('aria-expanded', 'true');
  await axe(page, 'suggestions open');
  await page.screenshot({ path: 'test-results/screens/search-suggestions.png' });
  await box.press('ArrowDown');
  await expect(box).toHaveAttribute('aria-activedescendant', 'site-search-option-0');
  await expect(list.getByRole('option').first()).toHaveAttribute('aria-selected', 'true');
  await box.press('Enter');
  await expect(page).toHaveURL(/\/blog\/ketamine-infusions-for-chronic-pain$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Ketamine Infusions');
});

test('a click on a suggestion opens that article', async ({ page }) => {
  await trackWasm(page);
  await page.goto(`${PMC}/locations`);
  await waitForHydration(page);
  const box = page.getByRole('combobox', { name: 'Search articles' });
  await box.pressSequentially('sciat', { delay: 30 });
  await page.getByRole('option', { name: /Sciatica Explained/ }).click();
  await expect(page).toHaveURL(/\/blog\/sciatica-explained$/);
});

test('Escape closes the suggestions and Enter searches the typed words', async ({ page }) => {
  await trackWasm(page);
  await page.goto(`${PMC}/blog`);
  await waitForHydration(page);
  const box = page.getByRole('combobox', { name: 'Search articles' });
  await box.pressSequentially('migraine', { delay: 20 });
  await expect(page.getByRole('option').first()).toBeVisible();
  await box.press('Escape');
  await expect(page.getByRole('listbox', { name: 'Suggested articles' })).toBeHidden();
  await box.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=migraine$/);
  await expect(page.getByRole('status').filter({ hasText: 'articles found for “migraine”' })).toBeVisible();
});

test('results filter by a facet, sort by date and stay axe-clean', async ({ page }) => {
  await page.goto(`${PMC}/search?q=nerve+pain`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Search');
  const count = page.locator('.result-count');
  await expect(count).toContainText('articles found for “nerve pain”');
  await expect(page.locator('.snippet mark').first()).toBeVisible();
  await axe(page, 'results');
  await page.screenshot({ path: 'test-results/screens/search-results.png', fullPage: true });
  const before = await page.locator('.hit').count();
  const facets = page.getByRole('complementary', { name: 'Filter the results' });
  await facets.getByRole('link', { name: /^injections/ }).click();
  await expect(page).toHaveURL(/tag=injections/);
  await expect(facets.getByRole('link', { name: /^injections/ })).toHaveAttribute('aria-current', 'true');
  expect(await page.locator('.hit').count()).toBeLessThanOrEqual(before);
  await facets.getByRole('link', { name: 'Newest first' }).click();
  await expect(page).toHaveURL(/sort=newest/);
  const dates = await page.locator('.hit time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime') ?? ''));
  expect([...dates].sort().reverse()).toEqual(dates);
  await axe(page, 'filtered results');
  await page.setViewportSize({ width: 390, height: 844 });
  await axe(page, 'results at phone width');
  await page.screenshot({ path: 'test-results/screens/search-results-phone.png', fullPage: true });
});

test('nothing found: a spelling suggestion and categories to browse', async ({ page }) => {
  await page.goto(`${PMC}/search?q=ketamime+xylophone`);
  await expect(page.getByText('Did you mean')).toBeVisible();
  await expect(page.getByRole('link', { name: /ketamine/ })).toBeVisible();
  await axe(page, 'no results');
  await page.goto(`${PMC}/search?q=xylophone+quartz`);
  await expect(page.getByRole('heading', { name: 'Nothing matched' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Browse by category' })).toBeVisible();
  await axe(page, 'nothing matched');
});

test('search works with JavaScript off', async ({ browser }: { browser: Browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${PMC}/`);
  await page.getByRole('combobox', { name: 'Search articles' }).fill('sciatica');
  await page.getByRole('button', { name: 'Search', exact: true }).first().click();
  await expect(page).toHaveURL(/\/search\?q=sciatica$/);
  await expect(page.locator('.hit').first()).toContainText('Sciatica Explained');
  await page.getByRole('link', { name: /^Sciatica Explained/ }).click();
  await expect(page).toHaveURL(/\/blog\/sciatica-explained$/);
  await context.close();
});
