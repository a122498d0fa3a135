import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { repoRoot, toolPath } from '@movies/testing';

/** Screenshots of the journeys, for people to look at (test-results/ is gitignored). */
export const SCREENSHOT_DIR = path.join(repoRoot, 'test-results', 'web-e2e');

/**
 * Debian's Chromium from the toolchain, headless. Playwright gives every launch a fresh
 * temporary profile (its own --user-data-dir) and removes it on close.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: toolPath('chromium'),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Polls `check` until it is true; fails naming `what` after timeoutMs. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function visible(locator: Locator, timeout = 30_000): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout });
}

export async function gone(locator: Locator, timeout = 30_000): Promise<void> {
  await locator.first().waitFor({ state: 'hidden', timeout });
}

export async function attributeIs(
  locator: Locator,
  name: string,
  value: string | null,
): Promise<void> {
  await waitUntil(
    `${locator} has ${name}=${value}`,
    async () => (await locator.getAttribute(name)) === value,
  );
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage });
}

/** The page's own view of the app, driven only through what a user can see and press. */
export class MoviesPage {
  constructor(readonly page: Page) {}

  form(title: string) {
    return this.page.getByRole('form', { name: title });
  }

  async register(username: string, password: string): Promise<void> {
    const form = this.form('Create an account');
    await form.getByLabel('Username').fill(username);
    await form.getByLabel('Password').fill(password);
    await form.getByRole('button', { name: 'Create account' }).click();
    await this.expectLoggedIn(username);
  }

  async logIn(username: string, password: string): Promise<void> {
    const form = this.form('Log in');
    await form.getByLabel('Username').fill(username);
    await form.getByLabel('Password').fill(password);
    await form.getByRole('button', { name: 'Log in' }).click();
    await this.expectLoggedIn(username);
  }

  async expectLoggedIn(username: string): Promise<void> {
    await visible(this.page.getByText(`Logged in as ${username}`));
  }

  async logOut(): Promise<void> {
    await this.page.getByRole('button', { name: 'Log out' }).click();
    await visible(this.form('Log in'));
  }

  /** Opens a view through the main navigation (reloads when it is already open, to refetch). */
  async go(link: 'Browse' | 'My ratings' | 'For you'): Promise<void> {
    const hash = { Browse: '#/browse', 'My ratings': '#/ratings', 'For you': '#/recommendations' }[
      link
    ];
    if (new URL(this.page.url()).hash === hash) await this.page.reload();
    else
      await this.page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: link })
        .click();
    await visible(this.page.getByRole('heading', { level: 1 }));
  }

  async search(text: string, genre = ''): Promise<void> {
    await this.go('Browse');
    await this.page.getByLabel('Search titles').fill(text);
    if (genre) {
      const select = this.page.getByLabel('Genre');
      // The genre list arrives separately from the first page of movies.
      await waitUntil(`genre "${genre}" is offered`, async () =>
        (await select.locator('option').allTextContents()).includes(genre),
      );
      await select.selectOption({ label: genre });
    }
    await this.page.getByRole('search').getByRole('button', { name: 'Search' }).click();
    await attributeIs(this.page.getByRole('list', { name: 'Movies' }), 'aria-busy', null);
  }

  /** Clicks the n-th star of a movie and waits until the page shows it as saved. */
  async rate(title: string, stars: number): Promise<void> {
    const star = this.page
      .getByRole('button', { name: `Rate ${title} ${stars} out of 5`, exact: true })
      .first();
    await star.click();
    await attributeIs(
      this.page
        .getByRole('button', { name: `Rate ${title} ${stars} out of 5`, exact: true })
        .first(),
      'aria-pressed',
      'true',
    );
  }

  async myRatings(): Promise<Array<{ title: string; stars: number }>> {
    await this.go('My ratings');
    const list = this.page.getByRole('list', { name: 'Your ratings' });
    await gone(this.page.getByText('Loading your ratings…'));
    await attributeIs(list, 'aria-busy', null);
    const rows = await list.getByRole('listitem').all();
    const result: Array<{ title: string; stars: number }> = [];
    for (const row of rows) {
      const heading =
        (await row.getByRole('heading').textContent())?.replace(/\s*\(\d{4}\)$/, '').trim() ?? '';
      const pressed = await row.locator('[aria-pressed="true"]').getAttribute('data-value');
      result.push({ title: heading, stars: Number(pressed) });
    }
    return result;
  }

  /** Titles on the "For you" page after pressing Refresh (waits for the load to finish). */
  async recommendations(): Promise<{ titles: string[]; reasons: string[]; alert: string | null }> {
    await this.go('For you');
    const list = this.page.getByRole('list', { name: 'Recommended movies' });
    await gone(this.page.getByText('Loading recommendations…'));
    await attributeIs(list, 'aria-busy', null);
    const alert = this.page.getByRole('alert');
    const alertText = (await alert.count()) > 0 ? await alert.first().textContent() : null;
    const items = await list.getByRole('listitem').all();
    const titles: string[] = [];
    const reasons: string[] = [];
    for (const item of items) {
      titles.push((await item.getByRole('heading').textContent())?.trim() ?? '');
      reasons.push((await item.locator('.reason').textContent())?.trim() ?? '');
    }
    return { titles, reasons, alert: alertText };
  }
}
