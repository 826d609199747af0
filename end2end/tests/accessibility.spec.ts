/**
 * axe-core finds no WCAG 2.0/2.1/2.2 A and AA violations on any page type.
 * Runs in both projects: desktop ("chromium") and phone width ("mobile").
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import type { AxeResults, Result } from 'axe-core';
import { LAKESIDE, NETWORK, PMC, PORT, demo, trackWasm, waitForHydration } from './support';

const pages: { name: string; url: string; status: number }[] = [
  { name: 'network index', url: `${NETWORK}/`, status: 200 },
  { name: 'clinic home (pmc)', url: `${PMC}/`, status: 200 },
  { name: 'clinic home (lakeside)', url: `${LAKESIDE}/`, status: 200 },
  { name: 'blog list', url: `${PMC}/blog`, status: 200 },
  { name: 'blog page 2', url: `${PMC}/blog?page=2`, status: 200 },
  { name: 'post', url: `${PMC}/blog/${demo.pmc.newestPost.slug}`, status: 200 },
  { name: 'post (lakeside)', url: `${LAKESIDE}/blog/${demo.lakeside.ownPostSlug}`, status: 200 },
  { name: 'category archive', url: `${PMC}/blog/category/${demo.pmc.newestPost.category.slug}`, status: 200 },
  { name: 'tag archive', url: `${PMC}/blog/tag/${demo.pmc.newestPost.tags[1].slug}`, status: 200 },
  { name: 'author archive', url: `${PMC}/blog/author/${demo.pmc.newestPost.author.slug}`, status: 200 },
  { name: 'locations list', url: `${PMC}/locations`, status: 200 },
  { name: 'location detail', url: `${PMC}/locations/${demo.pmc.locations[2].slug}`, status: 200 },
  { name: 'contact page with the request form', url: `${PMC}/contact`, status: 200 },
  { name: '404 page', url: `${PMC}/no-such-page`, status: 404 },
  { name: 'unknown host page', url: `http://unknown.localhost:${PORT}/`, status: 404 },
];

/** One line per failing element: rule, impact, selector, and axe's summary. */
function describe(violations: Result[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - ${n.target.join(' ')}\n      ${n.failureSummary?.replace(/\n/g, '\n      ') ?? ''}\n      ${n.html}`)
        .join('\n');
      return `[${v.impact ?? 'n/a'}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}`;
    })
    .join('\n\n');
}

for (const p of pages) {
  test(`${p.name} has no axe violations`, async ({ page }, testInfo) => {
    await trackWasm(page);
    const res = await page.goto(p.url);
    expect(res?.status()).toBe(p.status);
    // The unknown-host page has no app bundle; every other page is tested hydrated.
    if (p.name !== 'unknown host page') await waitForHydration(page);
    else await page.waitForLoadState('networkidle');

    const results: AxeResults = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
      .analyze();
    await testInfo.attach('axe-results.json', { body: JSON.stringify(results.violations, null, 2), contentType: 'application/json' });
    expect(results.violations, `axe violations on ${p.url}:\n\n${describe(results.violations)}`).toEqual([]);
    // Sanity: axe did look at the page.
    expect(results.passes.length).toBeGreaterThan(0);
  });
}

test('no page scrolls sideways', async ({ page }) => {
  for (const p of pages) {
    await page.goto(p.url);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${p.url} is wider than the viewport by ${overflow}px`).toBeLessThanOrEqual(0);
  }
});

async function checkSkipLink(page: Page): Promise<void> {
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).not.toBeInViewport();
  await page.keyboard.press('Tab');
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(`${PMC}/blog/${demo.pmc.newestPost.slug}#main`);
  // Focus moves past the header: the next Tab reaches the article, not the logo.
  await expect(page.locator('main#main')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.locator('main a').first()).toBeFocused();
}

test.describe('skip link, JavaScript off', () => {
  test.use({ javaScriptEnabled: false });
  test('moves focus to the main content', async ({ page }) => {
    await page.goto(`${PMC}/blog/${demo.pmc.newestPost.slug}`);
    await checkSkipLink(page);
  });
});

test.describe('skip link, hydrated', () => {
  test('moves focus to the main content', async ({ page }) => {
    await trackWasm(page);
    await page.goto(`${PMC}/blog/${demo.pmc.newestPost.slug}`);
    await waitForHydration(page);
    await checkSkipLink(page);
  });
});
