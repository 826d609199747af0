/**
 * The embeddable recent-articles list, on a page of ANOTHER origin: a tiny
 * static server started here (node:http on 127.0.0.1, a free port) serves
 * a page that frames http://pmc.localhost:PORT/embed/recent and one that
 * uses the one-line script snippet. Checks what a visitor sees, that the
 * links lead to the clinic's posts, that no cookie is set, and axe-core on
 * the embed page. Screenshots of both at phone and desktop width go to
 * end2end/test-results/screens/embed-*.png for a person to look at.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { PMC, demo } from './support';

const SCREENS = path.join(__dirname, '..', 'test-results', 'screens');

function partnerPage(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>body{font-family:Georgia,serif;margin:0;padding:1rem;max-width:48rem;color:#222}iframe{border:0;width:100%;height:34rem}</style>
</head><body><main><h1>${title}</h1><p>A partner's page on another site.</p>${body}<p id="after">Text after the list.</p></main></body></html>`;
}

/** Pages of the "other site", by path. */
const pages: Record<string, string> = {
  '/iframe.html': partnerPage(
    'Partner page with an iframe',
    `<iframe src="${PMC}/embed/recent?limit=3" title="Recent articles from ${demo.pmc.name}"></iframe>`,
  ),
  '/script.html': partnerPage(
    'Partner page with the script',
    `<script src="${PMC}/embed/recent.js?limit=4" async></script>`,
  ),
  '/script-category.html': partnerPage(
    'Partner page, one category',
    `<script src="${PMC}/embed/recent.js?limit=20&category=${demo.pmc.newestPost.category.slug}" async></script>`,
  ),
  '/script-unknown.html': partnerPage(
    'Partner page, unknown category',
    `<script src="${PMC}/embed/recent.js?category=no-such-category" async></script>`,
  ),
};

let server: http.Server;
let other = '';

test.beforeAll(async () => {
  server = http.createServer((req, res) => {
    const body = pages[req.url ?? ''];
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  other = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function noClinicCookies(page: Page): Promise<void> {
  const cookies = await page.context().cookies([PMC]);
  expect(cookies, 'the embed sets no cookie').toEqual([]);
}

test('the iframe shows the newest articles on another origin', async ({ page }) => {
  const embedded = page.waitForResponse((r) => r.url().startsWith(`${PMC}/embed/recent`));
  await page.goto(`${other}/iframe.html`);
  const res = await embedded;
  expect(res.status()).toBe(200);
  expect(await res.headerValue('set-cookie')).toBeNull();
  expect(await res.headerValue('x-frame-options')).toBeNull();

  const frame = page.frameLocator('iframe');
  await expect(frame.getByRole('heading', { name: `Recent articles from ${demo.pmc.name}` })).toBeVisible();
  await expect(frame.getByRole('listitem')).toHaveCount(3);
  const first = frame.getByRole('link', { name: demo.pmc.newestPost.title });
  await expect(first).toBeVisible();
  await expect(first).toHaveAttribute('href', `${PMC}/blog/${demo.pmc.newestPost.slug}`);
  await expect(first).toHaveAttribute('target', '_top');
  await expect(frame.getByRole('link', { name: /All articles/ })).toBeVisible();
  await noClinicCookies(page);

  // A link opens the article in the whole window, not inside the frame.
  await first.click();
  await expect(page).toHaveURL(`${PMC}/blog/${demo.pmc.newestPost.slug}`);
  await expect(page.locator('main h1')).toHaveText(demo.pmc.newestPost.title);
});

test('the script snippet puts the list right after itself', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${other}/script.html`);
  const list = page.locator('section.clinicpress-recent');
  await expect(list.getByRole('listitem')).toHaveCount(4);
  await expect(list.getByRole('heading', { name: `Recent articles from ${demo.pmc.name}` })).toBeVisible();
  const first = list.getByRole('link', { name: demo.pmc.newestPost.title });
  await expect(first).toBeVisible();
  await expect(first).toHaveAttribute('href', `${PMC}/blog/${demo.pmc.newestPost.slug}`);
  // Right after the script tag, before the page's next paragraph; named by its heading.
  const placed = await page.evaluate(() => {
    const script = document.querySelector('script[src*="/embed/recent.js"]');
    const next = script?.nextElementSibling;
    return {
      after: next?.classList.contains('clinicpress-recent') ?? false,
      then: next?.nextElementSibling?.id ?? '',
      label: next?.getAttribute('aria-labelledby') ?? '',
      busy: next?.hasAttribute('aria-busy') ?? true,
    };
  });
  expect(placed).toEqual({ after: true, then: 'after', label: 'clinicpress-recent-1', busy: false });
  expect(errors).toEqual([]);
  await noClinicCookies(page);
  // The partner page with the list has no axe violations either.
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations).toEqual([]);
});

test('the script shows one category, and says so when there is no such category', async ({ page }) => {
  await page.goto(`${other}/script-category.html`);
  const items = page.locator('section.clinicpress-recent li');
  await expect(items.first()).toBeVisible();
  const metas = await page.locator('section.clinicpress-recent .clinicpress-recent-meta').allTextContents();
  expect(metas.length).toBeGreaterThan(0);
  for (const m of metas) expect(m).toContain(demo.pmc.newestPost.category.name);

  await page.goto(`${other}/script-unknown.html`);
  await expect(page.locator('section.clinicpress-recent')).toContainText('has no category “no-such-category”');
});

test('the embed page has no axe violations', async ({ page }) => {
  const res = await page.goto(`${PMC}/embed/recent`);
  expect(res?.status()).toBe(200);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(results.violations).toEqual([]);
  expect(results.passes.length).toBeGreaterThan(0);
  // Nothing scrolls sideways at phone width either.
  await page.setViewportSize({ width: 320, height: 640 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test('screenshots of the embeds at phone and desktop width', async ({ browser }) => {
  fs.mkdirSync(SCREENS, { recursive: true });
  for (const w of [
    { width: 390, height: 844, mobile: true },
    { width: 1280, height: 800, mobile: false },
  ]) {
    const context = await browser.newContext({ viewport: { width: w.width, height: w.height }, isMobile: w.mobile });
    const page = await context.newPage();
    await page.goto(`${other}/iframe.html`);
    await expect(page.frameLocator('iframe').getByRole('listitem')).toHaveCount(3);
    await page.screenshot({ path: path.join(SCREENS, `embed-iframe-${w.width}.png`), fullPage: true });
    await page.goto(`${other}/script.html`);
    await expect(page.locator('section.clinicpress-recent li')).toHaveCount(4);
    await page.screenshot({ path: path.join(SCREENS, `embed-script-${w.width}.png`), fullPage: true });
    await page.goto(`${PMC}/embed/recent`);
    await page.screenshot({ path: path.join(SCREENS, `embed-page-${w.width}.png`), fullPage: true });
    await context.close();
  }
});
