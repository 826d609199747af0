/**
 * Dark mode (prefers-color-scheme), print and narrow screens: axe-core finds
 * no WCAG A/AA violations on the public pages with the dark palette in
 * force; an article prints black on white without navigation, forms or
 * related posts, external links followed by their address; no page
 * scrolls sideways at 320 px or at 200 % zoom.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { LAKESIDE, PMC, demo, trackWasm, waitForHydration } from './support';

const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const pages = [
  `${PMC}/`,
  `${LAKESIDE}/`,
  `${PMC}/blog`,
  `${PMC}/blog/${demo.pmc.sharedSlug}`,
  `${LAKESIDE}/blog/${demo.lakeside.ownPostSlug}`,
  `${PMC}/locations`,
  `${PMC}/locations/${demo.pmc.locations[0].slug}`,
  `${PMC}/contact`,
  `${PMC}/search?q=knee`,
  `${PMC}/admin/login`,
];

test.describe('dark mode', () => {
  test.use({ colorScheme: 'dark' });
  for (const url of pages) {
    test(`${url} has no axe violations in dark mode`, async ({ page }) => {
      await trackWasm(page);
      await page.goto(url);
      await waitForHydration(page);
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background, 'the dark palette is in force').not.toBe('rgb(255, 255, 255)');
      const results = await new AxeBuilder({ page }).withTags(tags).analyze();
      expect(results.violations, JSON.stringify(results.violations, null, 2)).toEqual([]);
      expect(results.passes.length).toBeGreaterThan(0);
    });
  }
});

test('an article prints black on white without navigation, forms or related posts', async ({ page }) => {
  await page.goto(`${PMC}/blog/${demo.pmc.sharedSlug}`);
  await expect(page.locator('.related')).toBeVisible();
  await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
  for (const selector of ['.skip-link', '.site-nav', '.search-box', '.share', '.cta', '.post-question', '.related']) {
    await expect(page.locator(selector).first(), selector).toBeHidden();
  }
  await expect(page.locator('.prose')).toBeVisible();
  await expect(page.locator('main h1')).toBeVisible();
  expect(await page.evaluate(() => getComputedStyle(document.body).color)).toBe('rgb(0, 0, 0)');
  // External links in the article print their address.
  await page.evaluate(() =>
    document.querySelector('.prose p')!.insertAdjacentHTML('beforeend', ' <a id="external" href="https://example.org/leaflet">leaflet</a>'),
  );
  const after = await page.evaluate(() => getComputedStyle(document.getElementById('external')!, '::after').content);
  expect(after).toContain('https://example.org/leaflet');
});

for (const [width, scale] of [
  [320, 1],
  [640, 2],
] as const) {
  test.describe(`${width} px wide at ${scale}x`, () => {
    test.use({ viewport: { width, height: 800 }, deviceScaleFactor: scale });
    test('no page scrolls sideways', async ({ page }) => {
      for (const url of pages) {
        await page.goto(url);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${url} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
      }
    });
  });
}
