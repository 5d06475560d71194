import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CONTENT_SECURITY_POLICY } from '../src/routes/console/bundle.ts';
import { startTestNode, type TestNode } from './support/nodes.ts';
import { axeViolations, checkInEveryLanguage, tr, useConsoleBrowser } from './support/browser.ts';

describe('the console, as the node serves it', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode('atina', { autoDispatch: false });
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('serves the single page with a strict Content-Security-Policy, never cached', async () => {
    for (const path of ['/console', '/console/', '/console/sign-in', '/console/sessions']) {
      const res = await fetch(`${node.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toMatch(/style-src 'self'(;|$)/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|data:|\*/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await res.text();
      // nothing inline: every script and stylesheet is a file of the build
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|\sstyle=/);
    }
  });

  it('serves the build files, each cached for good, and nothing else', async () => {
    const html = await (await fetch(`${node.url}/console/`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      const res = await fetch(`${node.url}${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-type')).toMatch(asset.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
    }
    for (const missing of ['/console/assets/nothing-here.js', '/console/assets/..%2Fpackage.json', '/console/assets/index.html', '/console/Sign-In', '/console/a/b']) {
      const res = await fetch(`${node.url}${missing}`);
      expect(res.status, missing).toBeGreaterThanOrEqual(400);
      expect(res.status, missing).toBeLessThan(500);
      expect(res.headers.get('content-type'), missing).toMatch(/^application\/problem\+json/);
    }
  });
});

describe('the console in Chromium', () => {
  let node: TestNode;
  let shots: string;
  const env = useConsoleBrowser();
  const open = env.open;

  beforeAll(() => {
    ({ node, shots } = env);
  });

  it('sees the CSP violations and accessibility faults a page would have', async () => {
    const page = await open();
    await page.page.goto(`${node.url}/console/sign-in`);
    await page.page.getByRole('heading', { level: 1, name: tr('en', 'signIn.title') }).waitFor();
    expect(await page.cspViolations()).toEqual([]);
    // An inline script and an unlabelled image: the policy must refuse the one, axe must find the other.
    await page.page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true';
      document.body.append(script);
      const image = document.createElement('img');
      image.src = '/console/assets/none.png';
      document.querySelector('main')?.append(image);
    });
    await expect.poll(async () => (await page.cspViolations()).length).toBeGreaterThan(0);
    expect(await page.page.evaluate(() => (window as unknown as { inlineRan?: boolean }).inlineRan)).toBeUndefined();
    expect((await axeViolations(page.page)).map((v) => v.id)).toContain('image-alt');
  });

  it('shows the sign-in page and the not-found page in every language, accessibly and within its policy', async () => {
    const page = await open();
    await page.page.goto(`${node.url}/console/`);
    await page.page.getByRole('heading', { level: 1, name: tr('en', 'signIn.title') }).waitFor();
    expect(page.page.url()).toBe(`${node.url}/console/sign-in`);
    await checkInEveryLanguage(page.page, shots, 'sign-in', async (language) => {
      await page.page.getByRole('heading', { level: 1, name: tr(language, 'signIn.title') }).waitFor();
      await page.page.getByRole('button', { name: tr(language, 'signIn.submit'), exact: true }).waitFor();
      expect(await page.page.title()).toBe(`${tr(language, 'signIn.title')} – Bridge`);
    }, 'sq');
    // the choice is remembered on this device
    await page.page.reload();
    await page.page.getByRole('heading', { level: 1, name: tr('sq', 'signIn.title') }).waitFor();

    await page.page.goto(`${node.url}/console/no-such-page`);
    await checkInEveryLanguage(page.page, shots, 'not-found', async (language) => {
      await page.page.getByRole('heading', { level: 1, name: tr(language, 'notFound.title') }).waitFor();
    });
    expect(await page.cspViolations()).toEqual([]);
    expect(page.pageErrors).toEqual([]);
  });
});
