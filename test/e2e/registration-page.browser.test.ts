/**
 * The registration page in real headless Chromium (Debian's chromium, driven by playwright-core):
 * fill the form and see success; a taken subdomain shows its error beside the field; a double
 * submit makes one institution. Screenshots of the empty form, field errors and success, on a
 * phone-sized and a desktop-sized viewport, go to test-output/screenshots/ (git-ignored).
 * Skipped, saying why, only when no Chromium can be had.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrationBody, startHarness, type Harness } from '../support/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = new URL('../../test-output/screenshots/', import.meta.url);
const available = existsSync(CHROMIUM);
if (!available) console.warn(`registration page browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe.runIf(available)('the registration page in headless Chromium', () => {
  let h: Harness;
  let server: Server;
  let baseUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    h = await startHarness('pglite');
    server = h.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    await mkdir(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    server?.close();
    await h?.close();
  });

  async function openPage(width: number, height: number): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${baseUrl}/`);
    await page.waitForLoadState('networkidle');
    expect(problems, 'no script or CSP errors').toEqual([]);
    return page;
  }

  async function fill(page: Page, body: ReturnType<typeof registrationBody>) {
    await page.getByLabel('Institution name').fill(body.name);
    await page.getByLabel('Subdomain').fill(body.subdomain);
    await page.getByLabel('Full name').fill(body.directorFullName);
    await page.getByLabel('Email').fill(body.directorEmail);
    await page.getByLabel('Password').fill(body.directorPassword);
  }

  const institutionsWith = async (subdomain: string) => (await h.state()).institutions.filter((i) => i.subdomain === subdomain);

  for (const [viewport, width, height] of [['phone', 390, 844], ['desktop', 1280, 900]] as const) {
    it(`registers, shows field errors and success (${viewport})`, async () => {
      const page = await openPage(width, height);
      await page.screenshot({ path: new URL(`${viewport}-empty.png`, SCREENSHOTS).pathname, fullPage: true });

      const taken = registrationBody();
      await h.register(taken).expect(201);
      await fill(page, registrationBody({ subdomain: taken.subdomain }));
      await page.getByRole('button', { name: 'Register' }).click();
      await expect.poll(() => page.locator('#subdomain-error').textContent()).toBe('That subdomain is already taken by another institution.');

      await page.getByLabel('Subdomain').fill('www');
      await page.getByRole('button', { name: 'Register' }).click();
      await expect.poll(() => page.locator('#subdomain-error').textContent()).toBe('is reserved');
      expect(await page.getByLabel('Subdomain').getAttribute('aria-invalid')).toBe('true');
      await page.screenshot({ path: new URL(`${viewport}-field-errors.png`, SCREENSHOTS).pathname, fullPage: true });

      const fresh = registrationBody();
      await fill(page, fresh);
      await page.getByRole('button', { name: 'Register' }).click();
      await expect.poll(() => page.locator('#success-subdomain').textContent()).toBe(fresh.subdomain);
      expect(await page.locator('#success-status').textContent()).toBe('trial');
      expect(await page.locator('#success').isVisible()).toBe(true);
      await page.screenshot({ path: new URL(`${viewport}-success.png`, SCREENSHOTS).pathname, fullPage: true });
      expect(await institutionsWith(fresh.subdomain)).toHaveLength(1);
      await page.close();
    });
  }

  it('a double submit makes one institution', async () => {
    const page = await openPage(1280, 900);
    const body = registrationBody();
    await fill(page, body);
    await page.getByRole('button', { name: 'Register' }).dblclick();
    await page.locator('form').evaluate((form: HTMLFormElement) => form.requestSubmit());
    await expect.poll(() => page.locator('#success-subdomain').textContent()).toBe(body.subdomain);
    expect(await institutionsWith(body.subdomain)).toHaveLength(1);
    await page.close();
  });

  it('a retry after the answer was lost (the server had committed) makes one institution', async () => {
    const page = await openPage(1280, 900);
    let first = true;
    await page.route('**/api/v1/institutions/register', async (route) => {
      if (!first) return route.continue();
      first = false;
      await route.fetch();
      await route.abort('connectionreset');
    });
    const body = registrationBody();
    await fill(page, body);
    await page.getByRole('button', { name: 'Register' }).click();
    await expect.poll(() => page.locator('#success-subdomain').textContent(), { timeout: 10_000 }).toBe(body.subdomain);
    expect(await institutionsWith(body.subdomain)).toHaveLength(1);
    await page.close();
  });
});
