import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser } from '../src/people/users.ts';
import type { TestNode } from './support/nodes.ts';
import {
  addVirtualAuthenticator,
  checkDialogInEveryLanguage,
  checkInEveryLanguage,
  switchLanguage,
  tr,
  useConsoleBrowser,
} from './support/browser.ts';
import { nextTotpCode, totpCode } from './support/totp.ts';

// Short enough that the test sees a step-up expire, long enough for a step-up to cover the retry.
const STEP_UP_MS = 10_000;
const IDLE_MS = 15 * 60_000;

describe('people use the console in Chromium', () => {
  const env = useConsoleBrowser({ config: { accounts: { stepUpMs: STEP_UP_MS } } });
  const open = env.open;
  let node: TestNode;
  let shots: string;
  let origin: string;

  beforeAll(() => {
    ({ node, shots } = env);
    // WebAuthn needs a host name, and the node's console origin is localhost on its own port.
    origin = node.url.replace('127.0.0.1', 'localhost');
  });

  const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();

  async function finishRecoveryCodes(page: Page, name: string): Promise<string[]> {
    await heading(page, tr('en', 'recovery.title'));
    const codes = await page.getByRole('list', { name: tr('en', 'recovery.listLabel') }).getByRole('listitem').allTextContents();
    expect(codes).toHaveLength(10);
    await checkInEveryLanguage(page, shots, name, (language) => heading(page, tr(language, 'recovery.title')));
    await page.getByRole('checkbox', { name: tr('en', 'recovery.kept') }).check();
    await page.getByRole('button', { name: tr('en', 'recovery.continue') }).click();
    return codes;
  }

  it('an operator enrols with a passkey and creates a case worker, who enrols with password and TOTP, signs in, times out and signs in again', async () => {
    // ── The first operator: created on the node (as `bridge users create` does), enrols with a passkey.
    const { enrolment } = await createUser(node.node.ctx, { username: 'marko', roles: ['operator'] }, 'test');
    expect(enrolment.url.startsWith(`${origin}/console/enrol#`)).toBe(true);
    const operator = await open();
    const op = operator.page;
    await addVirtualAuthenticator(operator.context, op);
    await op.goto(enrolment.url);
    await heading(op, tr('en', 'enrol.title'));
    expect(op.url()).toBe(`${origin}/console/enrol`); // the token left the address bar
    await checkInEveryLanguage(op, shots, 'enrol-operator', async (language) => {
      await op.getByRole('button', { name: tr(language, 'enrol.withPasskey') }).waitFor();
      // operators must use a passkey: no password route is offered
      expect(await op.getByRole('button', { name: tr(language, 'enrol.startPassword') }).count()).toBe(0);
    });
    await op.getByRole('button', { name: tr('en', 'enrol.withPasskey') }).click();
    const enrolledAt = Date.now();
    await finishRecoveryCodes(op, 'recovery-codes-operator');
    await heading(op, tr('en', 'home.title'));
    await checkInEveryLanguage(op, shots, 'home-operator', (language) => op.getByRole('heading', { level: 2, name: tr(language, 'roles.operator') }).waitFor());

    // ── People: creating an account is sensitive, so once the sign-in's step-up has lapsed it asks again.
    await op.getByRole('navigation').getByRole('link', { name: tr('en', 'people.title') }).click();
    await heading(op, tr('en', 'people.title'));
    await checkInEveryLanguage(op, shots, 'people', (language) => op.getByRole('table', { name: tr(language, 'people.caption_one', { count: 1 }) }).waitFor());
    await op.waitForTimeout(Math.max(0, enrolledAt + STEP_UP_MS + 1000 - Date.now()));
    await op.getByLabel(tr('en', 'fields.username'), { exact: true }).fill('jelena');
    await op.getByLabel(tr('en', 'people.role')).selectOption('case_worker');
    await checkDialogInEveryLanguage(
      op,
      shots,
      'step-up',
      async (language) => {
        await op.getByRole('button', { name: tr(language, 'people.create') }).click();
        await op.getByRole('dialog', { name: tr(language, 'stepUp.title') }).waitFor();
      },
      async (language) => {
        await op.getByRole('button', { name: tr(language, 'stepUp.cancel') }).click();
        await op.getByRole('dialog').waitFor({ state: 'hidden' });
      },
    );
    // cancelled four times: still only the operator's own account
    await op.getByRole('table', { name: tr('en', 'people.caption_one', { count: 1 }) }).waitFor();
    await op.getByRole('button', { name: tr('en', 'people.create') }).click();
    await op.getByRole('dialog', { name: tr('en', 'stepUp.title') }).getByRole('button', { name: tr('en', 'stepUp.withPasskey') }).click();
    const link = await op.getByLabel(tr('en', 'people.enrolmentLink')).inputValue();
    expect(link.startsWith(`${origin}/console/enrol#`)).toBe(true);
    await checkInEveryLanguage(op, shots, 'people-created', (language) => op.getByLabel(tr(language, 'people.enrolmentLink')).waitFor());

    // ── Sign out, and back in with the passkey.
    await op.getByRole('button', { name: tr('en', 'shell.signOut') }).click();
    await op.getByText(tr('en', 'signIn.reason.signed-out')).waitFor();
    await op.getByRole('button', { name: tr('en', 'signIn.withPasskey') }).click();
    await heading(op, tr('en', 'home.title'));
    await op.getByRole('button', { name: tr('en', 'shell.signOut') }).click();
    await heading(op, tr('en', 'signIn.title'));

    // ── The case worker, on her own browser: enrols with a password and an authenticator app.
    const caseWorker = await open();
    const cw = caseWorker.page;
    await cw.clock.install(); // time flows as usual until the test moves it on
    await cw.goto(link);
    await heading(cw, tr('en', 'enrol.title'));
    await checkInEveryLanguage(cw, shots, 'enrol-case-worker', (language) => cw.getByRole('button', { name: tr(language, 'enrol.startPassword') }).waitFor());
    await cw.getByRole('button', { name: tr('en', 'enrol.startPassword') }).click();
    const secret = (await cw.getByText(/^[A-Z2-7]{4}( [A-Z2-7]{4})+$/).textContent())!.replace(/ /g, '');
    await checkInEveryLanguage(cw, shots, 'enrol-password', (language) => cw.getByLabel(tr(language, 'fields.newPassword')).waitFor());
    const password = 'lantern orbit meadow quietly';
    const enrolCode = totpCode(secret);
    await cw.getByLabel(tr('en', 'fields.totpCode')).fill(enrolCode.code);
    await cw.getByLabel(tr('en', 'fields.newPassword')).fill(password);
    await cw.getByLabel(tr('en', 'fields.repeatPassword')).fill(password);
    await cw.getByRole('button', { name: tr('en', 'enrol.submitPassword') }).click();
    const recoveryCodes = await finishRecoveryCodes(cw, 'recovery-codes-case-worker');
    await heading(cw, tr('en', 'home.title'));
    await checkInEveryLanguage(cw, shots, 'home-case-worker', (language) => cw.getByRole('heading', { level: 2, name: tr(language, 'roles.case_worker') }).waitFor());
    // an operator's pages are not hers
    expect(await cw.getByRole('navigation').getByRole('link', { name: tr('en', 'people.title') }).count()).toBe(0);

    // ── Signs out and in again with password and a fresh code (a code works once).
    await cw.getByRole('button', { name: tr('en', 'shell.signOut') }).click();
    await heading(cw, tr('en', 'signIn.title'));
    const signInCode = await nextTotpCode(secret, enrolCode.step);
    await cw.getByLabel(tr('en', 'fields.username'), { exact: true }).fill('jelena');
    await cw.getByLabel(tr('en', 'fields.password'), { exact: true }).fill(password);
    await cw.getByLabel(tr('en', 'fields.code'), { exact: true }).fill(signInCode.code);
    await cw.getByRole('button', { name: tr('en', 'signIn.submit'), exact: true }).click();
    await heading(cw, tr('en', 'home.title'));

    // ── My sessions.
    await cw.getByRole('navigation').getByRole('link', { name: tr('en', 'sessions.title') }).click();
    await heading(cw, tr('en', 'sessions.title'));
    await checkInEveryLanguage(cw, shots, 'sessions', (language) => cw.getByText(tr(language, 'sessions.current'), { exact: false }).waitFor());

    // ── Idle, in two tabs of her browser: both warn together, and "stay" in one dismisses both.
    const secondTab = await caseWorker.context.newPage();
    await secondTab.goto(`${origin}/console/`);
    await heading(secondTab, tr('en', 'home.title'));
    await cw.clock.fastForward(IDLE_MS - 110_000);
    await cw.getByRole('dialog', { name: tr('en', 'idle.title') }).waitFor();
    await secondTab.getByRole('dialog', { name: tr('en', 'idle.title') }).waitFor();
    await secondTab.getByRole('button', { name: tr('en', 'idle.stay') }).click();
    await secondTab.getByRole('dialog').waitFor({ state: 'hidden' });
    await cw.getByRole('dialog').waitFor({ state: 'hidden' });
    await secondTab.close();

    // ── The warning in every language; then she leaves the console alone and it signs her out.
    await checkDialogInEveryLanguage(
      cw,
      shots,
      'idle-warning',
      async (language) => {
        await cw.clock.fastForward(IDLE_MS - 110_000);
        await cw.getByRole('dialog', { name: tr(language, 'idle.title') }).waitFor();
      },
      async (language) => {
        await cw.getByRole('button', { name: tr(language, 'idle.stay') }).click();
        await cw.getByRole('dialog').waitFor({ state: 'hidden' });
      },
      'sr-Cyrl',
    );
    await cw.clock.fastForward(IDLE_MS + 1000);
    await cw.getByText(tr('sr-Cyrl', 'signIn.reason.timed-out')).waitFor();
    await checkInEveryLanguage(cw, shots, 'sign-in-timed-out', (language) => cw.getByText(tr(language, 'signIn.reason.timed-out')).waitFor(), 'sr-Cyrl');
    // the session is over on the node too, not only on the screen
    expect((await caseWorker.context.request.get(`${origin}/v1/auth/session`)).status()).toBe(401);

    // ── Signs in again, on a fresh browser, with a recovery code: the console speaks her language.
    const again = await open();
    await again.page.goto(`${origin}/console/`);
    await heading(again.page, tr('en', 'signIn.title'));
    await again.page.getByLabel(tr('en', 'fields.username'), { exact: true }).fill('jelena');
    await again.page.getByLabel(tr('en', 'fields.password'), { exact: true }).fill(password);
    await again.page.getByLabel(tr('en', 'fields.code'), { exact: true }).fill(recoveryCodes[0]!);
    await again.page.getByRole('button', { name: tr('en', 'signIn.submit'), exact: true }).click();
    await heading(again.page, tr('sr-Cyrl', 'home.title'));
    await switchLanguage(again.page, 'en');

    // ── And on a third browser; from "my sessions" in the second she ends the third one.
    const third = await open();
    await third.page.goto(`${origin}/console/`);
    await third.page.getByLabel(tr('en', 'fields.username'), { exact: true }).fill('jelena');
    await third.page.getByLabel(tr('en', 'fields.password'), { exact: true }).fill(password);
    await third.page.getByLabel(tr('en', 'fields.code'), { exact: true }).fill(recoveryCodes[1]!);
    await third.page.getByRole('button', { name: tr('en', 'signIn.submit'), exact: true }).click();
    await heading(third.page, tr('en', 'home.title')); // she has just chosen English again
    await again.page.getByRole('navigation').getByRole('link', { name: tr('en', 'sessions.title') }).click();
    const sessions = again.page.getByRole('table', { name: tr('en', 'sessions.caption_other', { count: 2 }) });
    await sessions.waitFor();
    await sessions.getByRole('button', { name: tr('en', 'sessions.end') }).click();
    await again.page.getByRole('table', { name: tr('en', 'sessions.caption_one', { count: 1 }) }).waitFor();
    await third.page.reload();
    await heading(third.page, tr('en', 'signIn.title'));

    for (const page of [operator, caseWorker, again, third]) {
      expect(await page.cspViolations()).toEqual([]);
      expect(page.pageErrors).toEqual([]);
    }
  }, 300_000);
});
