import { defineConfig, devices } from '@playwright/test';
import { ADMIN_PORT, PORT } from './tests/support';

/**
 * Browser tests for Clinicpress, run against the release binary with the
 * demo content (see start-server.sh) in Debian's Chromium.
 *
 *   cd end2end && npm ci && npx playwright test
 *
 * Never run `npx playwright install`: the browser is /usr/bin/chromium.
 */
const chromiumLaunch = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
  ],
};

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    launchOptions: chromiumLaunch,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    // The page is tested as served: no service worker or cache surprises.
    serviceWorkers: 'block',
  },
  projects: [
    {
      name: 'chromium',
      use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 } },
    },
    {
      // Phone width, for the layout-sensitive checks only.
      name: 'mobile',
      testMatch: /accessibility\.spec\.ts$/,
      use: {
        browserName: 'chromium',
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        userAgent:
          'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36',
      },
    },
  ],
  // Two servers, each on a fresh demo database: one for the reading tests,
  // one for the admin tests (which change content).
  webServer: [PORT, ADMIN_PORT].map((port) => ({
    command: 'sh ./start-server.sh',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 5_000 },
    env: { E2E_PORT: String(port), E2E_DATA: `${process.env.TMPDIR ?? '/tmp'}/clinicpress-e2e-${port}` },
  })),
});
