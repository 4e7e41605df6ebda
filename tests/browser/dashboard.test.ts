import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceStack } from '../api/service-stack.js';
import { bakery, bridgeA, bridgeB, ferry } from '../api/stories.js';

/**
 * The dashboard in Debian's Chromium against the real API, a real BullMQ worker and Redis (own key
 * prefix). Writes clusters.png and cluster.png to $SCREENSHOT_DIR (the README's are refreshed with
 * SCREENSHOT_DIR=docs/screenshots), else to the git-ignored tests/browser/__output__.
 */
const screenshots = process.env.SCREENSHOT_DIR ?? join('tests', 'browser', '__output__');
const hostileTitle = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">Hostile headline';
const hostile = {
  id: 'hostile',
  source: 'evil.example',
  url: 'javascript:window.__pwned=3',
  title: hostileTitle,
  text: `${hostileTitle} A short report about a <b>bold</b> claim, with <iframe src="https://evil.example"></iframe> markup in its text.`,
  publishedAt: '2026-03-04T09:00:00Z',
};

let app: FastifyInstance;
let stop: () => Promise<void>;
let base: string;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
const dialogs: string[] = [];

beforeAll(async () => {
  ({ app, stop } = await startServiceStack());
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  userDataDir = mkdtempSync(join(tmpdir(), 'samestory-chromium-'));
  // A fresh profile directory per run (playwright passes it as --user-data-dir).
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
});

afterAll(async () => {
  await context?.close();
  await stop?.();
  rmSync(userDataDir, { recursive: true, force: true });
});

async function submit(article: object): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/v1/articles', payload: article });
  expect(res.statusCode).toBe(202);
}

describe('dashboard', () => {
  it('shows a submitted article in the open page without a reload', async () => {
    await page.goto(`${base}/`);
    await expect.poll(() => page.locator('#live').textContent()).toMatch(/live/);
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    await submit(bridgeA);
    await page.locator('.cluster', { hasText: 'wire.example' }).waitFor({ timeout: 10_000 });
    await submit(bridgeB);
    await submit(bakery);
    await submit(ferry);
    await expect.poll(() => page.locator('.cluster').count(), { timeout: 10_000 }).toBe(3);
    const bridgeCluster = page.locator('.cluster', { hasText: 'wire.example' });
    await expect.poll(() => bridgeCluster.locator('.size').textContent(), { timeout: 10_000 }).toBe('2');
    await expect.poll(() => bridgeCluster.locator('svg.spark polyline').count()).toBe(1);
    expect(await page.locator('.cluster', { hasText: 'local.example' }).locator('svg.spark circle').count()).toBe(1);
    // Still the same document: updates came over SSE, not from a navigation.
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  });

  it('renders a hostile title as inert text', async () => {
    await submit(hostile);
    const link = page.locator('.cluster h2 a', { hasText: 'Hostile headline' });
    await link.waitFor({ timeout: 10_000 });
    expect(await link.textContent()).toBe(hostileTitle);
    expect(await page.locator('main img, main script, main iframe').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);

    await page.getByRole('button', { name: 'Apply' }).waitFor();
    await page.selectOption('#sort', 'size');
    await expect.poll(() => page.locator('.cluster .size').first().textContent()).toBe('2');
    await page.selectOption('#sort', 'updated');
    await page.screenshot({ path: join(screenshots, 'clusters.png'), fullPage: true });
    expect(statSync(join(screenshots, 'clusters.png')).size).toBeGreaterThan(10_000);
  });

  it('filters by text and source', async () => {
    await page.fill('#q', 'sourdough');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('.cluster').count()).toBe(1);
    expect(page.url()).toContain('q=sourdough');
    await page.fill('#q', '');
    await page.fill('#source', 'coast.example');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('.cluster h2 a').allTextContents()).toEqual([ferry.title]);
  });

  it('a cluster page shows members, decisions and the shared evidence', async () => {
    await page.goto(`${base}/`);
    // The headline is the representative member's title, whichever of the two that is.
    await page.locator('.cluster', { hasText: 'wire.example' }).locator('h2 a').click();
    await page.waitForURL(/\/clusters\//);
    await page.locator('table.members tbody tr').nth(1).waitFor();
    const rows = page.locator('table.members tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toContain('wire.example');
    expect(await rows.nth(0).locator('td').nth(4).textContent()).toBe('new');
    expect(await rows.nth(1).locator('td').nth(4).textContent()).toMatch(/^(joined|duplicate of)/);
    const terms = await page.locator('#evidence .term').allTextContents();
    expect(terms.length).toBeGreaterThan(3);
    expect(terms.some((t) => t.startsWith('quillmoor'))).toBe(true);
    await page.screenshot({ path: join(screenshots, 'cluster.png'), fullPage: true });
    expect(statSync(join(screenshots, 'cluster.png')).size).toBeGreaterThan(10_000);
  });

  it('an article page shows its assignment and nearest neighbours; hostile links stay text', async () => {
    await page.locator('table.members tbody tr').nth(0).getByRole('link', { name: bridgeA.title! }).click();
    await page.waitForURL(/\/articles\/bridge-wire$/);
    await page.locator('.neighbours li').first().waitFor();
    expect(await page.locator('.neighbours li').first().textContent()).toContain(bridgeB.title);

    await page.goto(`${base}/articles/hostile`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(hostileTitle);
    expect(await page.locator('main a[href^="javascript:"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  it('shows queue health', async () => {
    await expect.poll(() => page.locator('#health .count-completed').textContent(), { timeout: 15_000 }).toBe('5');
    expect(await page.locator('#health .count-failed').textContent()).toBe('0');
    expect(await page.locator('#health .count-workers').textContent()).toBe('1');
  });

  it('says so when the story on screen is removed: an update moved its only article elsewhere', async () => {
    const before = (await app.inject({ url: `/v1/articles/${bakery.id}` })).json();
    await page.goto(`${base}/clusters/${encodeURIComponent(before.assignment.clusterId)}`);
    await page.locator('table.members tbody tr').first().waitFor();
    await submit({ ...bakery, title: ferry.title, text: ferry.text });
    await page.getByRole('heading', { name: 'Story removed' }).waitFor();
    expect(await page.locator('main').textContent()).toMatch(/no longer exists: its only article was updated/);
  });
});
