/**
 * The same reader's journey with JavaScript off: every page must work from
 * the server-rendered HTML alone, with real links and real status codes.
 */
import { expect, test } from '@playwright/test';
import { PMC, demo, expectH1 } from './support';

test.use({ javaScriptEnabled: false });

const post = demo.pmc.newestPost;
const tag = post.tags[1]; // "injections"

test('home → post → tag → back → author, without JavaScript', async ({ page }) => {
  // Nothing runs in the page, so no server function is ever called: every
  // page below comes from a full document load. (The wasm may still be
  // fetched: the shell preloads it with <link rel="preload">.)
  const serverFnCalls: string[] = [];
  const documents: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) serverFnCalls.push(r.url());
    if (r.isNavigationRequest()) documents.push(r.url());
  });

  const home = await page.goto(`${PMC}/`);
  expect(home?.status()).toBe(200);
  await expectH1(page, demo.pmc.name);
  await expect(page.locator('.hero .lede')).toHaveText(demo.pmc.tagline);

  const recent = page.getByRole('region', { name: 'Recent articles' });
  await expect(recent.getByRole('article')).toHaveCount(6);
  const postNav = page.waitForResponse(`${PMC}/blog/${post.slug}`);
  await recent.getByRole('link', { name: post.title }).click();
  expect((await postNav).status()).toBe(200);
  await expect(page).toHaveURL(`${PMC}/blog/${post.slug}`);
  await expectH1(page, post.title);
  await expect(page).toHaveTitle(`${post.title} · ${demo.pmc.name}`);
  await expect(page.locator('article.post > header .eyebrow')).toHaveText(post.category.name);
  await expect(page.locator('article.post .prose h2').first()).toBeVisible();
  await expect(page.getByRole('complementary', { name: 'About the author' })).toContainText(post.author.bioStart);
  await expect(page.getByRole('complementary', { name: 'Contact us' }).getByRole('link', { name: 'Contact us' })).toHaveAttribute('href', '/contact');
  await expect(page.getByRole('navigation', { name: 'Share this article' }).getByRole('link')).toHaveCount(4);
  const related = page.getByRole('region', { name: 'You might also enjoy' });
  await expect(related.getByRole('article').first()).toBeVisible();
  await expect(related.getByRole('link', { name: post.title })).toHaveCount(0);

  const tagNav = page.waitForResponse(`${PMC}/blog/tag/${tag.slug}`);
  await page.getByRole('navigation', { name: 'Tags' }).getByRole('link', { name: tag.name, exact: true }).click();
  expect((await tagNav).status()).toBe(200);
  await expect(page).toHaveURL(`${PMC}/blog/tag/${tag.slug}`);
  await expectH1(page, `Articles tagged “${tag.name}”`);
  await expect(page.locator('main .post-list').getByRole('link', { name: post.title })).toBeVisible();

  await page.goBack();
  await expect(page).toHaveURL(`${PMC}/blog/${post.slug}`);
  await expectH1(page, post.title);

  const authorNav = page.waitForResponse(`${PMC}/blog/author/${post.author.slug}`);
  await page.locator('article.post .byline').getByRole('link', { name: `${post.author.name}, ${post.author.credentials}` }).click();
  expect((await authorNav).status()).toBe(200);
  await expect(page).toHaveURL(`${PMC}/blog/author/${post.author.slug}`);
  await expectH1(page, post.author.name);
  await expect(page.locator('main .page-header .credentials')).toHaveText(post.author.credentials);
  await expect(page.locator('main .page-header .lede')).toContainText(post.author.bioStart);

  expect(serverFnCalls, 'no server function is called with JavaScript off').toEqual([]);
  expect(documents).toEqual([
    `${PMC}/`,
    `${PMC}/blog/${post.slug}`,
    `${PMC}/blog/tag/${tag.slug}`,
    `${PMC}/blog/${post.slug}`,
    `${PMC}/blog/author/${post.author.slug}`,
  ]);
});

test('blog pagination: the next and previous links work', async ({ page }) => {
  const first = await page.goto(`${PMC}/blog`);
  expect(first?.status()).toBe(200);
  await expectH1(page, 'Articles');
  await expect(page.locator('main .lede')).toHaveText(`${demo.pmc.publishedPosts} articles from our clinicians`);
  await expect(page.locator('main .post-card')).toHaveCount(10);
  const pages = page.getByRole('navigation', { name: 'Pages' });
  await expect(pages.locator('.page-of')).toHaveText('Page 1 of 2');
  await expect(pages.locator('a[rel="prev"]')).toHaveCount(0);
  await expect(page.locator('head link[rel="next"], head link[rel="prev"]')).toHaveCount(0);
  const firstPageTitles = await page.locator('main .card-title').allTextContents();

  const next = pages.getByRole('link', { name: 'Older posts →' });
  await expect(next).toHaveAttribute('rel', 'next');
  await expect(next).toHaveAttribute('href', '/blog?page=2');
  const nav2 = page.waitForResponse(`${PMC}/blog?page=2`);
  await next.click();
  expect((await nav2).status()).toBe(200);
  await expect(page).toHaveURL(`${PMC}/blog?page=2`);
  await expect(page).toHaveTitle(`Articles, page 2 · ${demo.pmc.name}`);
  await expect(page.locator('meta[name="robots"]')).toHaveAttribute('content', 'noindex, follow');
  await expect(page.locator('main .post-card')).toHaveCount(demo.pmc.publishedPosts - 10);
  await expect(page.getByRole('navigation', { name: 'Pages' }).locator('.page-of')).toHaveText('Page 2 of 2');
  await expect(page.getByRole('navigation', { name: 'Pages' }).locator('a[rel="next"]')).toHaveCount(0);
  const secondPageTitles = await page.locator('main .card-title').allTextContents();
  expect(secondPageTitles.filter((t) => firstPageTitles.includes(t)), 'no post on both pages').toEqual([]);

  const prev = page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: '← Newer posts' });
  await expect(prev).toHaveAttribute('rel', 'prev');
  await expect(prev).toHaveAttribute('href', '/blog');
  await prev.click();
  await expect(page).toHaveURL(`${PMC}/blog`);
  await expect(page.locator('main .card-title')).toHaveText(firstPageTitles);
});

test('locations list every office with a tel: link and a detail page', async ({ page }) => {
  const res = await page.goto(`${PMC}/locations`);
  expect(res?.status()).toBe(200);
  await expectH1(page, 'Our locations');
  await expect(page).toHaveTitle(`Locations · ${demo.pmc.name}`);
  const cards = page.locator('main .location-card');
  await expect(cards).toHaveCount(demo.pmc.locations.length);
  for (const [i, loc] of demo.pmc.locations.entries()) {
    const card = cards.nth(i);
    await expect(card.getByRole('heading', { level: 2 })).toHaveText(loc.name);
    const phone = card.locator('a[href^="tel:"]');
    await expect(phone).toHaveCount(1);
    await expect(phone).toHaveAttribute('href', loc.tel);
    // The accessible name says whom you are calling.
    await expect(phone).toHaveAccessibleName(new RegExp(`^Call ${loc.name}: \\+1 `));
    await expect(card.locator('address')).not.toBeEmpty();
    await expect(card.locator('.status')).toHaveText(/^(Open|Closed) now/);
  }

  const loc = demo.pmc.locations[2];
  const detailNav = page.waitForResponse(`${PMC}/locations/${loc.slug}`);
  await cards.nth(2).getByRole('link', { name: loc.name, exact: true }).click();
  expect((await detailNav).status()).toBe(200);
  await expect(page).toHaveURL(`${PMC}/locations/${loc.slug}`);
  await expectH1(page, `${demo.pmc.name} — ${loc.name}`);
  await expect(page.locator('main a[href^="tel:"]')).toHaveAttribute('href', loc.tel);
  const hours = page.getByRole('table', { name: /Weekly opening hours/ });
  await expect(hours.getByRole('rowheader')).toHaveCount(7);
  await expect(hours.locator('tr.today')).toHaveCount(1);
});
