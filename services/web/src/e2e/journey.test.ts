import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import {
  isAlive,
  SERVICE_NAMES,
  startStack,
  type RunningStack,
} from '../__fixtures__/stack-harness';
import { attributeIs, launchChromium, MoviesPage, screenshot, visible, waitUntil } from './browser';

// Browser journeys against the whole stack, started by the same launcher as `npm start`. Tests
// in a describe block share one stack and run in order (later ones log in as the first user). They
// need auth, data and recommendation to work: a broken service fails these tests, it never
// skips them.
jest.setTimeout(300_000);

const PASSWORD = 'correct-horse-battery';
const RATED: Array<[title: string, search: string, stars: number]> = [
  ['The Matrix', 'matrix', 5],
  ['Inception', 'inception', 5],
  ['Interstellar', 'interstellar', 4],
  ['Blade Runner', 'blade runner', 4],
  ['Heat', 'heat', 2],
];

function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

async function openApp(
  browser: Browser,
  stack: RunningStack,
): Promise<{ context: BrowserContext; app: MoviesPage }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  await page.goto(stack.url);
  return { context, app: new MoviesPage(page) };
}

/** Polls "For you" until recommendations appear (the model catches up with new ratings). */
async function waitForRecommendations(app: MoviesPage, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await app.recommendations();
    if (result.titles.length > 0 || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

describe('the app in a browser (in-memory stores)', () => {
  let stack: RunningStack;
  let browser: Browser;
  const user = uniqueName('ana');

  beforeAll(async () => {
    stack = await startStack();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (stack && stack.launcher.exitCode === null) await stack.stop();
  });

  it('register → log in → search → rate 5 movies → recommendations without rated movies → log out', async () => {
    const { context, app } = await openApp(browser, stack);
    const { page } = app;
    await visible(app.form('Log in'));
    await screenshot(page, '01-logged-out');

    await app.register(user, PASSWORD);
    await app.logOut();
    await app.logIn(user, PASSWORD);
    expect(await context.cookies()).toEqual([
      expect.objectContaining({ name: 'movies_session', httpOnly: true, sameSite: 'Lax' }),
    ]);
    // The page's JavaScript cannot read the session.
    expect(await page.evaluate(() => document.cookie)).toBe('');

    await app.search('matrix');
    await visible(page.getByRole('heading', { name: /^The Matrix/ }));
    await screenshot(page, '02-search');

    for (const [title, search, stars] of RATED) {
      await app.search(search);
      await app.rate(title, stars);
    }
    // Change one rating and rate-then-remove another.
    await app.rate('Heat', 3);
    await app.search('jaws');
    await app.rate('Jaws', 1);
    await page.getByRole('button', { name: 'Remove your rating of Jaws' }).click();
    await attributeIs(
      page.getByRole('button', { name: 'Rate Jaws 1 out of 5' }),
      'aria-pressed',
      'false',
    );

    const mine = await app.myRatings();
    expect(mine.map((rating) => rating.title).sort()).toEqual(RATED.map(([title]) => title).sort());
    expect(mine.find((rating) => rating.title === 'Heat')?.stars).toBe(3);
    expect(mine.find((rating) => rating.title === 'The Matrix')?.stars).toBe(5);
    await screenshot(page, '03-my-ratings');

    const recommendations = await waitForRecommendations(app);
    expect(recommendations.alert).toBeNull();
    expect(recommendations.titles.length).toBeGreaterThan(0);
    for (const [title] of RATED) expect(recommendations.titles).not.toContain(title);
    expect(recommendations.reasons.every((reason) => reason.length > 0)).toBe(true);
    await screenshot(page, '04-recommendations');

    await app.logOut();
    expect(await context.cookies()).toEqual([]);
    await page.reload();
    await visible(app.form('Log in'));
    await context.close();
  });

  it('a second user in another browser context sees only their own ratings', async () => {
    const other = uniqueName('bo');
    const { context, app } = await openApp(browser, stack);
    // A rejected registration reads as a sentence next to the form.
    const form = app.form('Create an account');
    await form.getByLabel('Username').fill(other);
    await form.getByLabel('Password').fill('short');
    await form.getByRole('button', { name: 'Create account' }).click();
    const problem = form.getByRole('alert');
    await visible(problem);
    expect(await problem.textContent()).toBe(
      'Please check your input: Password: must be 8-128 characters.',
    );
    await app.register(other, PASSWORD);
    expect(await app.myRatings()).toEqual([]);
    await visible(app.page.getByText('You have not rated any movies yet.'));
    // Genre filter and paging: every card of both pages is in the genre, and the pages differ.
    await app.search('', 'Science Fiction');
    const page = app.page;
    const movies = page.getByRole('list', { name: 'Movies' });
    const firstPage = await movies.getByRole('heading').allTextContents();
    expect(firstPage).toHaveLength(12);
    expect(await movies.locator('.genres').allTextContents()).toEqual(
      firstPage.map(() => expect.stringContaining('Science Fiction')),
    );
    await page.getByRole('button', { name: 'Next →' }).click();
    await visible(page.getByText('Page 2'));
    await attributeIs(movies, 'aria-busy', null);
    const secondPage = await movies.getByRole('heading').allTextContents();
    expect(secondPage.length).toBeGreaterThan(0);
    expect(secondPage.filter((title) => firstPage.includes(title))).toEqual([]);
    expect(await movies.locator('.genres').allTextContents()).toEqual(
      secondPage.map(() => expect.stringContaining('Science Fiction')),
    );
    await page.getByRole('button', { name: '← Previous' }).click();
    await visible(page.getByText('Page 1'));
    await attributeIs(movies, 'aria-busy', null);
    expect(await movies.getByRole('heading').allTextContents()).toEqual(firstPage);

    await app.search('toy story', 'All genres');
    await app.rate('Toy Story', 4);
    expect(await app.myRatings()).toEqual([{ title: 'Toy Story', stars: 4 }]);

    // The first user, in their own context, still has exactly their five.
    const first = await openApp(browser, stack);
    await first.app.logIn(user, PASSWORD);
    expect((await first.app.myRatings()).map((rating) => rating.title).sort()).toEqual(
      RATED.map(([title]) => title).sort(),
    );
    await Promise.all([context.close(), first.context.close()]);
  });

  it('shows a readable message while recommendation is down, keeps the rest working, and recovers', async () => {
    const { context, app } = await openApp(browser, stack);
    const { page } = app;
    await app.logIn(user, PASSWORD);
    await stack.stopService('recommendation');
    try {
      const down = await app.recommendations();
      expect(down.titles).toEqual([]);
      expect(down.alert).toMatch(
        /The recommendation service is (unavailable right now|taking too long)/,
      );
      expect(down.alert).not.toMatch(/[{}"]/);
      await screenshot(page, '05-recommendation-down');

      await app.search('alien');
      await visible(page.getByRole('heading', { name: /^Aliens/ }));
      await app.rate('Alien', 4);
      expect((await app.myRatings()).map((rating) => rating.title)).toContain('Alien');
    } finally {
      await stack.startService('recommendation');
    }
    const back = await waitForRecommendations(app);
    expect(back.alert).toBeNull();
    expect(back.titles.length).toBeGreaterThan(0);
    expect(back.titles).not.toContain('Alien');
    await context.close();
  });

  it('works at phone width and by keyboard', async () => {
    const context = await browser.newContext({
      viewport: { width: 375, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await page.goto(stack.url);
    const app = new MoviesPage(page);
    // Keyboard only: tab into the log-in form, type, submit with Enter.
    const username = app.form('Log in').getByLabel('Username');
    await visible(username);
    const focused = () => username.evaluate((element) => element === document.activeElement);
    // Skip link, brand, then the first field of the log-in form.
    for (let presses = 0; presses < 3 && !(await focused()); presses += 1)
      await page.keyboard.press('Tab');
    await waitUntil('Tab reaches the username field', focused, 1000);
    await page.keyboard.type(user);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await app.expectLoggedIn(user);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, '06-phone', false);

    // The session ends (cookie gone): the next call brings back the login form with a message.
    await context.clearCookies();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'My ratings' })
      .click();
    await visible(app.form('Log in'));
    await visible(
      page.getByRole('alert').filter({ hasText: 'Your session has ended. Please log in again.' }),
    );
    await context.close();
  });

  it('stops every service when one dies, naming it and printing its last log lines', async () => {
    const pids = { ...stack.pids };
    process.kill(pids.data, 'SIGKILL');
    expect(await stack.exited).toBe(1);
    expect(stack.output()).toMatch(/stack: data exited unexpectedly \(SIGKILL\)/);
    expect(stack.output()).toMatch(/last log lines of data:\n {2}data \| \{/);
    for (const name of SERVICE_NAMES)
      expect({ name, alive: isAlive(pids[name]) }).toEqual({ name, alive: false });
  });
});

describe('the app in a browser with MongoDB (FerretDB)', () => {
  let stack: RunningStack;
  let browser: Browser;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-e2e-ferretdb-'));

  beforeAll(async () => {
    stack = await startStack({ mongo: true, dataDir });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (stack && stack.launcher.exitCode === null) await stack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps ratings made before the data service restarts', async () => {
    expect(stack.output()).toMatch(/MongoDB at mongodb:\/\/127\.0\.0\.1:\d+/);
    const user = uniqueName('mo');
    const { context, app } = await openApp(browser, stack);
    await app.register(user, PASSWORD);
    for (const [title, search, stars] of RATED.slice(0, 3)) {
      await app.search(search);
      await app.rate(title, stars);
    }
    const before = await app.myRatings();
    expect(before).toHaveLength(3);

    await stack.stopService('data');
    await stack.startService('data');

    const after = await app.myRatings();
    expect(after.sort((a, b) => a.title.localeCompare(b.title))).toEqual(
      before.sort((a, b) => a.title.localeCompare(b.title)),
    );
    await app.search('heat');
    await app.rate('Heat', 2);
    expect(await app.myRatings()).toHaveLength(4);
    await screenshot(app.page, '07-mongo-after-restart');
    await context.close();
  });

  it('stops everything cleanly on Ctrl-C (SIGINT)', async () => {
    const pids = { ...stack.pids };
    expect(await stack.stop('SIGINT')).toBe(0);
    expect(stack.output()).toMatch(
      /stack: interrupted: stopping all services…[\s\S]*stack: stopped/,
    );
    for (const name of SERVICE_NAMES)
      expect({ name, alive: isAlive(pids[name]) }).toEqual({ name, alive: false });
  });
});
