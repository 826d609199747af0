/**
 * Full-page screenshots for a person to review, at phone and desktop width:
 * end2end/test-results/screens/{page}-{width}.png (git-ignored; rewritten on
 * every run). Run alone with `npx playwright test screenshots`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from '@playwright/test';
import { LAKESIDE, NETWORK, PMC, demo, trackWasm, waitForHydration } from './support';

const SCREENS = path.join(__dirname, '..', 'test-results', 'screens');

const shots = [
  { name: 'network-index', url: `${NETWORK}/` },
  { name: 'pmc-home', url: `${PMC}/` },
  { name: 'pmc-blog', url: `${PMC}/blog` },
  { name: 'pmc-post', url: `${PMC}/blog/${demo.pmc.newestPost.slug}` },
  { name: 'pmc-locations', url: `${PMC}/locations` },
  { name: 'pmc-location-detail', url: `${PMC}/locations/${demo.pmc.locations[1].slug}` },
  { name: 'pmc-author', url: `${PMC}/blog/author/${demo.pmc.newestPost.author.slug}` },
  { name: 'pmc-404', url: `${PMC}/no-such-page` },
  { name: 'lakeside-home', url: `${LAKESIDE}/` },
  { name: 'lakeside-post', url: `${LAKESIDE}/blog/${demo.lakeside.ownPostSlug}` },
];

const widths = [
  { width: 390, height: 844, mobile: true },
  { width: 1280, height: 800, mobile: false },
];

test.describe.configure({ mode: 'parallel' });

for (const w of widths) {
  test(`screenshots at ${w.width}px`, async ({ browser }) => {
    fs.mkdirSync(SCREENS, { recursive: true });
    const context = await browser.newContext({
      viewport: { width: w.width, height: w.height },
      deviceScaleFactor: 1,
      isMobile: w.mobile,
      hasTouch: w.mobile,
    });
    try {
      const page = await context.newPage();
      await trackWasm(page);
      for (const s of shots) {
        const res = await page.goto(s.url);
        expect(res?.status(), s.url).toBe(s.name.endsWith('404') ? 404 : 200);
        await waitForHydration(page);
        await page.evaluate(() => document.fonts.ready);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${s.url} overflows the ${w.width}px viewport`).toBeLessThanOrEqual(0);
        const file = path.join(SCREENS, `${s.name}-${w.width}.png`);
        await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
        expect(fs.statSync(file).size, file).toBeGreaterThan(5_000);
      }
    } finally {
      await context.close();
    }
  });
}
