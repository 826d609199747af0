/**
 * Shared constants and helpers for the Clinicpress browser tests.
 *
 * Tenancy is by Host header, so every test uses absolute URLs on
 * `*.localhost` (Chromium resolves those to loopback by itself).
 */
import { expect, type Page } from '@playwright/test';

/** The port the test server listens on (start-server.sh reads the same variable). */
export const PORT = Number(process.env.E2E_PORT ?? 3100);

/**
 * A second server, with its own database, for the admin tests: they write,
 * publish and rename posts, which must not change what the reading tests see.
 */
export const ADMIN_PORT = Number(process.env.E2E_ADMIN_PORT ?? 3101);

/**
 * The admin server's data directory (start-server.sh uses E2E_DATA), where
 * its mail is written as files: the tests read password-reset links there.
 */
export const ADMIN_DATA = `${process.env.TMPDIR ?? '/tmp'}/clinicpress-e2e-${ADMIN_PORT}`;

/** The bare host: the network index of every clinic. */
export const NETWORK = `http://localhost:${PORT}`;
/** Pain Medicine Consultants (demo clinic slug `pmc`). */
export const PMC = `http://pmc.localhost:${PORT}`;
/** Lakeside Family Dermatology (demo clinic slug `lakeside`). */
export const LAKESIDE = `http://lakeside.localhost:${PORT}`;

/** Demo content the tests rely on (server/demo/). */
export const demo = {
  pmc: {
    name: 'Pain Medicine Consultants',
    tagline: 'Thoughtful, unhurried care for people living with long-term pain.',
    /** Newest published pmc post: first card under "Recent articles". */
    newestPost: {
      slug: 'preparing-for-a-procedure-day',
      title: 'Preparing for Your Procedure Day: A Practical Checklist',
      category: { slug: 'treatments', name: 'Treatments' },
      tags: [
        { slug: 'first-visit', name: 'first visit' },
        { slug: 'injections', name: 'injections' },
        { slug: 'medication', name: 'medication' },
      ],
      author: {
        slug: 'helen-okafor',
        name: 'Helen Okafor',
        credentials: 'PA-C',
        bioStart: 'Helen is a physician assistant',
      },
    },
    sharedSlug: 'what-to-expect-at-your-first-visit',
    sharedSlugTitle: 'Your First Visit to Pain Medicine Consultants: What to Expect',
    draftSlug: 'talking-to-family-about-chronic-pain',
    scheduledSlug: 'spinal-cord-stimulation-overview',
    /** 18 published posts (20 files less a draft and a scheduled one) → 2 pages of 10. */
    publishedPosts: 18,
    locations: [
      { slug: 'pleasant-hill', name: 'Pleasant Hill', tel: 'tel:+19255550100' },
      { slug: 'walnut-creek', name: 'Walnut Creek', tel: 'tel:+19255550114' },
      { slug: 'concord', name: 'Concord', tel: 'tel:+19255550127' },
    ],
  },
  lakeside: {
    name: 'Lakeside Family Dermatology',
    sharedSlugTitle: 'Your First Dermatology Visit at Lakeside: What to Expect',
    /** Published in lakeside only. */
    ownPostSlug: 'mohs-surgery-explained',
  },
} as const;

/** Text of the 404 page's heading (note the typographic apostrophe). */
export const NOT_FOUND_HEADING = 'We couldn’t find that page';

/**
 * Mark when the hydrate bundle's WebAssembly module has been instantiated.
 * Call before `page.goto`; then `waitForHydration(page)` after it.
 */
export async function trackWasm(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __e2eWasmReady?: boolean };
    const mark = <T>(p: Promise<T>): Promise<T> =>
      p.then((r) => {
        w.__e2eWasmReady = true;
        return r;
      });
    const streaming = WebAssembly.instantiateStreaming;
    if (streaming) {
      WebAssembly.instantiateStreaming = function (...args: Parameters<typeof streaming>) {
        return mark(streaming.apply(WebAssembly, args));
      } as typeof streaming;
    }
    const instantiate = WebAssembly.instantiate;
    WebAssembly.instantiate = function (...args: unknown[]) {
      return mark((instantiate as (...a: unknown[]) => Promise<unknown>).apply(WebAssembly, args));
    } as typeof instantiate;
  });
}

/**
 * Hydrate the page now and wait until it has: the wasm module is instantiated (see
 * `trackWasm`), `hydrate()` has run right after it, and the network has
 * gone quiet (the Suspense resources hydrate from data already in the page).
 */
export async function waitForHydration(page: Page): Promise<void> {
  // Public pages hydrate on demand (first use of the search box or a form,
  // or this event); the admin area at once, where the event changes nothing.
  await page.waitForFunction(() => {
    dispatchEvent(new Event('clinicpress:hydrate'));
    return (window as unknown as { __e2eWasmReady?: boolean }).__e2eWasmReady === true;
  });
  await page.waitForLoadState('networkidle');
}

/** Every `<main>` must have exactly one h1 with this text. */
export async function expectH1(page: Page, text: string | RegExp): Promise<void> {
  await expect(page.locator('main h1')).toHaveCount(1);
  await expect(page.locator('main h1')).toHaveText(text);
}
