/// <reference lib="dom" />
/**
 * The console as people use it: Debian's Chromium driven by playwright-core (never a downloaded
 * browser), with the page's Content-Security-Policy in force. Every page records the CSP violations it
 * sees, and axe-core checks pages for accessibility from inside the page.
 */
import { startTestNode, type TestNode, type TestNodeOptions } from './nodes.ts';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import en from '../../../../apps/console/src/i18n/locales/en.json' with { type: 'json' };
import srLatn from '../../../../apps/console/src/i18n/locales/sr-Latn.json' with { type: 'json' };
import srCyrl from '../../../../apps/console/src/i18n/locales/sr-Cyrl.json' with { type: 'json' };
import sq from '../../../../apps/console/src/i18n/locales/sq.json' with { type: 'json' };

export const CONSOLE_LANGUAGES = ['en', 'sr-Latn', 'sr-Cyrl', 'sq'] as const;
export type ConsoleLanguage = (typeof CONSOLE_LANGUAGES)[number];

type Tree = { [key: string]: string | Tree };
const TRANSLATIONS: Record<ConsoleLanguage, Tree> = { en, 'sr-Latn': srLatn, 'sr-Cyrl': srCyrl, sq };

/** The console's own text for a key, so tests find elements by the name a person reads. */
export function tr(language: ConsoleLanguage, key: string, values: Record<string, string | number> = {}): string {
  const path = key.split('.');
  let node: string | Tree | undefined = TRANSLATIONS[language];
  for (const part of path) node = typeof node === 'object' ? node[part] : undefined;
  if (typeof node !== 'string') throw new Error(`no translation ${language} ${key}`);
  return node.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => String(values[name] ?? `{{${name}}}`));
}

export const CHROMIUM = process.env.BRIDGE_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Collects CSP violations from the first byte of every document, before any of the page's scripts run. */
const CSP_RECORDER = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile });
  });
`;

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** CSP violations reported to the page or to its console, since the page was opened. */
  cspViolations(): Promise<string[]>;
  /** Errors the page threw that nothing caught. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openConsolePage(browser: Browser, options: { timezoneId?: string } = {}): Promise<ConsolePage> {
  // The CSP stays in force (no bypassCSP): the test is about the real policy. axe-core and the CSP
  // recorder come in as init scripts, which the DevTools protocol adds outside the page's policy.
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: options.timezoneId ?? 'Europe/Belgrade', viewport: { width: 1024, height: 768 } });
  await context.addInitScript({ content: CSP_RECORDER });
  await context.addInitScript({ content: AXE_SOURCE });
  const page = await context.newPage();
  const consoleViolations: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) consoleViolations.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return {
    context,
    page,
    pageErrors,
    async cspViolations() {
      const inPage = await page.evaluate(() => (window as unknown as { __cspViolations?: unknown[] }).__cspViolations ?? []);
      return [...consoleViolations, ...inPage.map((v) => JSON.stringify(v))];
    },
    close: () => context.close(),
  };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's violations on the page as it is now (all WCAG 2.x A/AA rules and best practices). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
}

/** A virtual authenticator (DevTools protocol) that holds passkeys and verifies the user at once. */
export async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, authenticatorId };
}

/** A folder for this run's screenshots, outside the repository; its path is printed. */
export function screenshotFolder(): string {
  const dir = join(process.env.BRIDGE_SCREENSHOTS ?? tmpdir(), `bridge-console-shots-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  console.log(`console screenshots: ${dir}`);
  return dir;
}

/** Switches the console's language with its own switcher, found by its label in the current language. */
export async function switchLanguage(page: Page, to: ConsoleLanguage): Promise<void> {
  const from = (await page.evaluate(() => document.documentElement.lang)) as ConsoleLanguage;
  if (from === to) return;
  await page.getByLabel(tr(from, 'shell.language')).selectOption(to);
  await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(to);
}

async function checkPage(page: Page, shots: string, name: string, language: ConsoleLanguage): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations, `${name} in ${language}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
  await page.screenshot({ path: join(shots, `${name}.${language}.png`), fullPage: true });
}

/**
 * The page as it is, in each language in turn (switched with the console's own switcher): no axe
 * violation, and a screenshot. Ends in `end` (English unless said).
 */
export async function checkInEveryLanguage(page: Page, shots: string, name: string, ready: (language: ConsoleLanguage) => Promise<void>, end: ConsoleLanguage = 'en'): Promise<void> {
  for (const language of CONSOLE_LANGUAGES) {
    await switchLanguage(page, language);
    await ready(language);
    await checkPage(page, shots, name, language);
  }
  await switchLanguage(page, end);
}

/** The same for a modal dialog, which makes the switcher unreachable while it is open: open, check, close, per language. */
export async function checkDialogInEveryLanguage(
  page: Page,
  shots: string,
  name: string,
  open: (language: ConsoleLanguage) => Promise<void>,
  close: (language: ConsoleLanguage) => Promise<void>,
  end: ConsoleLanguage = 'en',
): Promise<void> {
  for (const language of CONSOLE_LANGUAGES) {
    await switchLanguage(page, language);
    await open(language);
    await checkPage(page, shots, name, language);
    await close(language);
  }
  await switchLanguage(page, end);
}

/** What `useConsoleBrowser` gives a test: read it inside tests, after its `beforeAll` ran. */
export interface ConsoleBrowser {
  node: TestNode;
  browser: Browser;
  /** This run's screenshot folder (printed). */
  shots: string;
  /** A new page the block closes after its tests. */
  open(): Promise<ConsolePage>;
}

/** A node and Chromium started before the tests of the enclosing block, and stopped after them. */
export function useConsoleBrowser(nodeOptions: TestNodeOptions = {}): ConsoleBrowser {
  const opened: ConsolePage[] = [];
  const env = {
    open: async () => {
      const page = await openConsolePage(env.browser);
      opened.push(page);
      return page;
    },
  } as ConsoleBrowser;
  beforeAll(async () => {
    [env.node, env.browser] = await Promise.all([startTestNode('atina', { autoDispatch: false, ...nodeOptions }), launchChromium()]);
    env.shots = screenshotFolder();
  });
  afterAll(async () => {
    for (const page of opened) await page.close().catch(() => undefined);
    await env.browser?.close();
    await env.node?.stop();
  });
  return env;
}
