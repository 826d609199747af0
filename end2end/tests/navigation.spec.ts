/**
 * A reader's journey with JavaScript on: the page hydrates, and from then
 * on links are followed by the client-side router.
 *
 * home → a recent post → one of its tags → back to the post → the author.
 */
import { expect, test, type Page, type Request } from '@playwright/test';
import { NOT_FOUND_HEADING, PMC, demo, expectH1, trackWasm, waitForHydration } from './support';

const post = demo.pmc.newestPost;
const tag = post.tags[1]; // "injections"

/** Count full document loads, to tell client-side navigation from reloads. */
function countDocumentLoads(page: Page): () => number {
  let n = 0;
  page.on('request', (r: Request) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) n += 1;
  });
  return () => n;
}

test('home → post → tag → back → author, through the hydrated router', async ({ page }) => {
  await trackWasm(page);
  const documentLoads = countDocumentLoads(page);

  const home = await page.goto(`${PMC}/`);
  expect(home?.status()).toBe(200);
  await expect(page).toHaveTitle(demo.pmc.name);
  await expectH1(page, demo.pmc.name);
  await waitForHydration(page);
  expect(documentLoads()).toBe(1);

  // Home → the newest post, from the "Recent articles" list.
  const recent = page.getByRole('region', { name: 'Recent articles' });
  const firstCard = recent.getByRole('article').first();
  await expect(firstCard.getByRole('heading', { level: 3 })).toHaveText(post.title);
  await firstCard.getByRole('link', { name: post.title }).click();
  await expect(page).toHaveURL(`${PMC}/blog/${post.slug}`);
  await expectH1(page, post.title);
  await expect(page).toHaveTitle(`${post.title} · ${demo.pmc.name}`);
  await expect(page.locator('article.post .byline')).toContainText(`By ${post.author.name}, ${post.author.credentials}`);
  await expect(page.getByRole('heading', { name: 'You might also enjoy' })).toBeVisible();

  // Post → tag archive.
  const tags = page.getByRole('navigation', { name: 'Tags' });
  await expect(tags.getByRole('link')).toHaveText(post.tags.map((t) => t.name));
  await tags.getByRole('link', { name: tag.name, exact: true }).click();
  await expect(page).toHaveURL(`${PMC}/blog/tag/${tag.slug}`);
  await expectH1(page, `Articles tagged “${tag.name}”`);
  await expect(page.locator('main .eyebrow').first()).toHaveText('Tag');
  await expect(page.locator('main .post-list').getByRole('link', { name: post.title })).toBeVisible();

  // Back to the post.
  await page.goBack();
  await expect(page).toHaveURL(`${PMC}/blog/${post.slug}`);
  await expectH1(page, post.title);

  // Post → author archive, through the byline.
  await page.locator('article.post .byline').getByRole('link', { name: `${post.author.name}, ${post.author.credentials}` }).click();
  await expect(page).toHaveURL(`${PMC}/blog/author/${post.author.slug}`);
  await expectH1(page, post.author.name);
  await expect(page.locator('main .page-header .credentials')).toHaveText(post.author.credentials);
  await expect(page.locator('main .page-header .lede')).toContainText(post.author.bioStart);
  await expect(page).toHaveTitle(`${post.author.name} · ${demo.pmc.name}`);
  await expect(page.locator('main .post-list').getByRole('link', { name: post.title })).toBeVisible();

  // Every hop after the first load was handled in the browser.
  expect(documentLoads(), 'links should be followed by the client-side router, not by reloading').toBe(1);
});

test('header and footer links reach the articles and locations pages', async ({ page }) => {
  await trackWasm(page);
  const res = await page.goto(`${PMC}/blog/${post.slug}`);
  expect(res?.status()).toBe(200);
  await waitForHydration(page);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Locations' }).click();
  await expect(page).toHaveURL(`${PMC}/locations`);
  await expectH1(page, 'Our locations');
  await expect(page.locator('main .location-card')).toHaveCount(demo.pmc.locations.length);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Articles' }).click();
  await expect(page).toHaveURL(`${PMC}/blog`);
  await expectH1(page, 'Articles');
  await expect(page.locator('main .post-card')).toHaveCount(10);

  await page.getByRole('navigation', { name: 'Footer' }).getByRole('link', { name: 'Home' }).click();
  await expect(page).toHaveURL(`${PMC}/`);
  await expectH1(page, demo.pmc.name);
});

test('the 404 page hydrates and its links lead back into the site', async ({ page }) => {
  await trackWasm(page);
  const res = await page.goto(`${PMC}/no-such-page`);
  expect(res?.status()).toBe(404);
  await expectH1(page, NOT_FOUND_HEADING);
  await waitForHydration(page);

  await page.getByRole('link', { name: 'Browse articles' }).click();
  await expect(page).toHaveURL(`${PMC}/blog`);
  await expectH1(page, 'Articles');
  await expect(page).toHaveTitle(`Articles · ${demo.pmc.name}`);
});
