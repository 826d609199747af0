/**
 * Multi-clinic tenancy by Host: the bare host lists the clinics, each clinic
 * sees only its own content, unknown hosts and missing content are 404s.
 */
import { expect, test } from '@playwright/test';
import { LAKESIDE, NETWORK, NOT_FOUND_HEADING, PMC, PORT, demo, expectH1 } from './support';

test('the network index links to every clinic', async ({ page }) => {
  const res = await page.goto(`${NETWORK}/`);
  expect(res?.status()).toBe(200);
  await expectH1(page, 'Clinics on this server');
  await expect(page).toHaveTitle('Clinicpress — clinics on this server');
  const cards = page.locator('main .clinic-card');
  await expect(cards).toHaveCount(2);
  // Sorted by name.
  await expect(cards.getByRole('heading', { level: 2 })).toHaveText([demo.lakeside.name, demo.pmc.name]);
  await expect(page.getByRole('link', { name: demo.pmc.name })).toHaveAttribute('href', `${PMC}/`);
  await expect(page.getByRole('link', { name: demo.lakeside.name })).toHaveAttribute('href', `${LAKESIDE}/`);
  // The network host has no clinic navigation.
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);

  await page.getByRole('link', { name: demo.lakeside.name }).click();
  await expect(page).toHaveURL(`${LAKESIDE}/`);
  await expectH1(page, demo.lakeside.name);

  await page.goto(`${NETWORK}/`);
  await page.getByRole('link', { name: demo.pmc.name }).click();
  await expect(page).toHaveURL(`${PMC}/`);
  await expectH1(page, demo.pmc.name);
});

test('the same slug shows each clinic its own post', async ({ page }) => {
  const slug = demo.pmc.sharedSlug;

  const a = await page.goto(`${PMC}/blog/${slug}`);
  expect(a?.status()).toBe(200);
  await expectH1(page, demo.pmc.sharedSlugTitle);
  await expect(page.locator('.site-header .brand-name')).toHaveText(demo.pmc.name);
  await expect(page.locator('link[rel="canonical"]')).toHaveAttribute('href', `${PMC}/blog/${slug}`);

  const b = await page.goto(`${LAKESIDE}/blog/${slug}`);
  expect(b?.status()).toBe(200);
  await expectH1(page, demo.lakeside.sharedSlugTitle);
  await expect(page.locator('.site-header .brand-name')).toHaveText(demo.lakeside.name);
  await expect(page.locator('link[rel="canonical"]')).toHaveAttribute('href', `${LAKESIDE}/blog/${slug}`);
  await expect(page.getByText(demo.pmc.name)).toHaveCount(0);
});

test.describe('not found', () => {
  for (const [what, url] of [
    ['a draft post', `${PMC}/blog/${demo.pmc.draftSlug}`],
    ['a scheduled post', `${PMC}/blog/${demo.pmc.scheduledSlug}`],
    ['another clinic’s post', `${PMC}/blog/${demo.lakeside.ownPostSlug}`],
    ['another clinic’s location', `${PMC}/locations/evanston`],
    ['an unknown tag', `${PMC}/blog/tag/no-such-tag`],
    ['an unknown author', `${LAKESIDE}/blog/author/helen-okafor`],
    ['an unknown route', `${PMC}/no/such/page`],
    ['a blog page past the end', `${PMC}/blog?page=99999`],
    ['a clinic page on the network host', `${NETWORK}/blog`],
  ] as const) {
    test(`${what} → 404 page`, async ({ page }) => {
      const res = await page.goto(url);
      expect(res?.status()).toBe(404);
      await expectH1(page, NOT_FOUND_HEADING);
      await expect(page).toHaveTitle('Page not found');
      await expect(page.locator('meta[name="robots"]')).toHaveAttribute('content', 'noindex');
      await expect(page.getByRole('link', { name: 'Go to the home page' })).toHaveAttribute('href', '/');
    });
  }

  test('an unknown clinic host → 404 "site not found"', async ({ page }) => {
    // "unknown" is a valid slug, so this goes through the clinic-slug lookup.
    const res = await page.goto(`http://unknown.localhost:${PORT}/`);
    expect(res?.status()).toBe(404);
    expect(res?.headers()['x-robots-tag']).toBe('noindex');
    await expectH1(page, 'Site not found');
    await expect(page.getByText(demo.pmc.name)).toHaveCount(0);
    await expect(page.getByText(demo.lakeside.name)).toHaveCount(0);
  });

  test('an unknown clinic host never serves a clinic’s pages', async ({ page }) => {
    for (const path of ['/blog', `/blog/${demo.pmc.sharedSlug}`, '/locations/concord']) {
      const res = await page.goto(`http://unknown.localhost:${PORT}${path}`);
      expect(res?.status(), path).toBe(404);
      await expectH1(page, 'Site not found');
    }
  });
});

test.describe('page parameter', () => {
  for (const raw of ['0', '-1', 'abc', '', '1']) {
    test(`?page=${raw} → 200, page 1`, async ({ page }) => {
      const res = await page.goto(`${PMC}/blog?page=${encodeURIComponent(raw)}`);
      expect(res?.status()).toBe(200);
      await expectH1(page, 'Articles');
      await expect(page).toHaveTitle(`Articles · ${demo.pmc.name}`);
      const pages = page.getByRole('navigation', { name: 'Pages' });
      await expect(pages.locator('.page-of')).toHaveText('Page 1 of 2');
      await expect(page.locator('main .post-card')).toHaveCount(10);
      await expect(page.locator('main .card-title').first()).toHaveText(demo.pmc.newestPost.title);
    });
  }

  test('?page=2 → 200, the second page', async ({ page }) => {
    const res = await page.goto(`${PMC}/blog?page=2`);
    expect(res?.status()).toBe(200);
    await expect(page.getByRole('navigation', { name: 'Pages' }).locator('.page-of')).toHaveText('Page 2 of 2');
  });

  test('?page=3 (one past the end) → 404', async ({ page }) => {
    const res = await page.goto(`${PMC}/blog?page=3`);
    expect(res?.status()).toBe(404);
    await expectH1(page, NOT_FOUND_HEADING);
  });
});

test('each clinic’s pages are drawn in its own brand colour', async ({ page }) => {
  // provision.toml: pmc brand_color #1f5f8b, lakeside #7a3b69. The stylesheet's
  // default --brand happens to be pmc's, so lakeside is the telling case.
  for (const [base, rgb] of [
    [PMC, 'rgb(31, 95, 139)'],
    [LAKESIDE, 'rgb(122, 59, 105)'],
  ] as const) {
    await page.goto(`${base}/blog/${demo.pmc.sharedSlug}`);
    await expect.soft(page.locator('.site-header .brand-mark'), `${base} brand mark`).toHaveCSS('background-color', rgb, { timeout: 1_000 });
    await expect.soft(page.locator('article.post > header .eyebrow'), `${base} category link`).toHaveCSS('color', rgb, { timeout: 1_000 });
    await expect.soft(page.locator('article.post .byline a'), `${base} byline link`).toHaveCSS('color', rgb, { timeout: 1_000 });
    await expect.soft(page.locator('.cta .button'), `${base} call-to-action button`).toHaveCSS('background-color', rgb, { timeout: 1_000 });
    await expect.soft(page.locator('.cta'), `${base} call-to-action border`).toHaveCSS('border-top-color', rgb, { timeout: 1_000 });
  }
});
