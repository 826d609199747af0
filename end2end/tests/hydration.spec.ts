/**
 * Hydration: the wasm bundle takes over the server-rendered page without
 * errors, warnings or any visible change, and pages it renders itself
 * (client-side navigation) match what the server renders.
 */
import { expect, test, type ConsoleMessage, type Page } from '@playwright/test';
import { LAKESIDE, NETWORK, PMC, demo, trackWasm, waitForHydration } from './support';

type Snapshot = { html: string; text: string; title: string; wasmReady: boolean };

/** Collect console errors/warnings and uncaught exceptions, minus known noise. */
function watchConsole(page: Page, expected404?: string): string[] {
  const problems: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    const where = m.location().url;
    // A 404 page's own document answers 404, and Chromium logs that.
    if (m.text().startsWith('Failed to load resource') && (where.endsWith('/favicon.ico') || (expected404 && where === expected404))) return;
    problems.push(`console.${m.type()}: ${m.text()}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.name}: ${e.message}`));
  return problems;
}

/** Record the server-rendered DOM at DOMContentLoaded, before the wasm can run. */
async function snapshotBeforeHydration(page: Page): Promise<void> {
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const w = window as unknown as { __e2eSsr?: Snapshot; __e2eWasmReady?: boolean };
      w.__e2eSsr = {
        html: document.body.innerHTML,
        text: document.body.innerText,
        title: document.title,
        wasmReady: w.__e2eWasmReady === true,
      };
    });
  });
}

async function snapshots(page: Page): Promise<{ before: Snapshot; after: Snapshot }> {
  return page.evaluate(() => ({
    before: (window as unknown as { __e2eSsr: Snapshot }).__e2eSsr,
    after: {
      html: document.body.innerHTML,
      text: document.body.innerText,
      title: document.title,
      wasmReady: (window as unknown as { __e2eWasmReady?: boolean }).__e2eWasmReady === true,
    },
  }));
}

const cases = [
  { name: 'post', url: `${PMC}/blog/${demo.pmc.newestPost.slug}`, status: 200 },
  { name: 'clinic home', url: `${PMC}/`, status: 200 },
  { name: 'network index', url: `${NETWORK}/`, status: 200 },
  { name: 'blog page 2', url: `${PMC}/blog?page=2`, status: 200 },
  { name: 'author archive', url: `${LAKESIDE}/blog/author/miriam-castellano`, status: 200 },
  { name: 'location detail', url: `${PMC}/locations/${demo.pmc.locations[0].slug}`, status: 200 },
  { name: 'contact page with the request form', url: `${PMC}/contact`, status: 200 },
  { name: '404 page', url: `${PMC}/blog/${demo.pmc.draftSlug}`, status: 404 },
];

for (const c of cases) {
  test(`${c.name} hydrates without errors and without changing`, async ({ page }) => {
    const problems = watchConsole(page, c.status === 404 ? c.url : undefined);
    await trackWasm(page);
    await snapshotBeforeHydration(page);
    const wasm = page.waitForResponse((r) => new URL(r.url()).pathname === '/pkg/clinicpress.wasm');

    const res = await page.goto(c.url);
    expect(res?.status()).toBe(c.status);
    // Public pages hydrate on demand: waitForHydration asks for it.
    await waitForHydration(page);
    const wasmRes = await wasm;
    expect(wasmRes.status()).toBe(200);
    expect(wasmRes.headers()['content-type']).toContain('application/wasm');

    const { before, after } = await snapshots(page);
    expect(before, 'DOMContentLoaded snapshot was taken').toBeTruthy();
    expect(before.wasmReady, 'the snapshot predates the wasm').toBe(false);
    expect(after.wasmReady).toBe(true);
    expect(after.title).toBe(before.title);
    expect(after.text, 'visible text changed during hydration').toBe(before.text);
    expect(after.html, 'markup changed during hydration').toBe(before.html);
    expect(problems, 'console errors/warnings or page errors').toEqual([]);
  });
}

test('client-rendered pages match the server-rendered ones, without errors', async ({ page, browser }) => {
  const problems = watchConsole(page);
  await trackWasm(page);
  const post = demo.pmc.newestPost;
  await page.goto(`${PMC}/blog/${post.slug}`);
  await waitForHydration(page);

  // Each hop is rendered in the browser from server-function data.
  const hops: { click: () => Promise<void>; url: string }[] = [
    { click: () => page.getByRole('navigation', { name: 'Tags' }).getByRole('link', { name: post.tags[0].name }).click(), url: `${PMC}/blog/tag/${post.tags[0].slug}` },
    { click: () => page.locator('main .post-card .eyebrow').first().click(), url: '' },
    { click: () => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Locations' }).click(), url: `${PMC}/locations` },
    { click: () => page.locator('main .location-card h2 a').first().click(), url: `${PMC}/locations/${demo.pmc.locations[0].slug}` },
    { click: () => page.locator('.site-header .brand').click(), url: `${PMC}/` },
  ];

  const server = await browser.newContext({ javaScriptEnabled: false });
  const ssr = await server.newPage();
  try {
    for (const hop of hops) {
      const from = page.url();
      await hop.click();
      await expect(page).not.toHaveURL(from);
      if (hop.url) await expect(page).toHaveURL(hop.url);
      await expect(page.locator('main .loading')).toHaveCount(0);
      await page.waitForLoadState('networkidle');
      const clientText = await page.locator('body').innerText();
      const clientTitle = await page.title();

      const res = await ssr.goto(page.url());
      expect(res?.status(), page.url()).toBe(200);
      expect(clientTitle, `title of ${page.url()}`).toBe(await ssr.title());
      expect(clientText, `text of ${page.url()} rendered in the browser vs on the server`).toBe(await ssr.locator('body').innerText());
    }
  } finally {
    await server.close();
  }
  expect(problems, 'console errors/warnings or page errors').toEqual([]);
});
