import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  freePort,
  repoRoot,
  startFerretDB,
  startProcess,
  type FerretDBServer,
  type StartedProcess,
} from '@movies/testing';
import { startTestAuth, type TestAuth } from './__fixtures__/harness';

// Nothing acknowledged is lost: the BUILT service (node services/data/build/index.js) against
// the real FerretDB server, stopped with SIGTERM and started again, FerretDB restarted too.
jest.setTimeout(120_000);

const entry = path.join(repoRoot, 'services', 'data', 'build', 'index.js');
let auth: TestAuth;
let ferret: FerretDBServer;
let dataDir: string;

beforeAll(async () => {
  const build = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'services/data'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
    },
  );
  if (build.status !== 0)
    throw new Error(`building services/data failed:\n${build.stdout}${build.stderr}`);
  auth = await startTestAuth();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'data-persist-'));
  ferret = await startFerretDB({ dataDir });
});

afterAll(async () => {
  await ferret?.stop();
  await auth?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function startData(): Promise<{ url: string; process: StartedProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = await startProcess(process.execPath, [entry], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      MONGODB_URI: ferret.uri,
      MONGODB_DB: 'persistence',
      AUTH_URL: auth.jwks.url,
      SHUTDOWN_DRAIN_MS: '100',
      LOG_LEVEL: 'info',
    },
    readyUrl: `${url}/readyz`,
    timeoutMs: 30_000,
  });
  return { url, process: started };
}

async function call(url: string, method: string, pathName: string, user: string, body?: unknown) {
  const response = await fetch(`${url}${pathName}`, {
    method,
    headers: { authorization: auth.bearer(user), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function ratingsOf(url: string, user: string): Promise<Record<string, number>> {
  const response = await call(url, 'GET', '/ratings/me', user);
  expect(response.status).toBe(200);
  return Object.fromEntries(
    response.body.ratings.map((r: { movieId: string; rating: number }) => [r.movieId, r.rating]),
  );
}

it('keeps every acknowledged rating across a SIGTERM restart and a database restart; concurrent upserts leave one rating', async () => {
  const first = await startData();
  const movies = [
    'the-matrix-1999',
    'alien-1979',
    'heat-1995',
    'amelie-2001',
    'jaws-1975',
    'up-2009',
    'rocky-1976',
    'coco-2017',
  ];
  const expected: Record<string, Record<string, number>> = {};
  const writes = [];
  for (const user of ['ann', 'bob', 'cat']) {
    expected[user] = {};
    for (const [index, movie] of movies.entries()) {
      const rating = ((index + user.length) % 5) + 1;
      expected[user]![movie] = rating;
      writes.push(call(first.url, 'PUT', `/ratings/${movie}`, user, { rating }));
    }
  }
  for (const response of await Promise.all(writes)) expect(response.status).toBe(201);
  expect((await call(first.url, 'DELETE', '/ratings/jaws-1975', 'bob')).status).toBe(204);
  delete expected.bob!['jaws-1975'];

  const racers = await Promise.all(
    Array.from({ length: 200 }, (_, index) =>
      call(first.url, 'PUT', '/ratings/the-matrix-1999', 'racer', { rating: (index % 5) + 1 }),
    ),
  );
  expect(racers.every((response) => response.status === 200 || response.status === 201)).toBe(true);
  expect(racers.filter((response) => response.status === 201)).toHaveLength(1);
  const racerRatings = await ratingsOf(first.url, 'racer');
  expect(Object.keys(racerRatings)).toEqual(['the-matrix-1999']);

  expect(await first.process.stop('SIGTERM')).toBe(0);
  expect(first.process.output()).toContain('shutdown: complete');

  const second = await startData();
  for (const user of Object.keys(expected))
    expect(await ratingsOf(second.url, user)).toEqual(expected[user]);
  expect(await ratingsOf(second.url, 'racer')).toEqual(racerRatings);
  const feed = await fetch(`${second.url}/internal/ratings?limit=1000`).then(
    (r) => r.json() as Promise<{ changes: Array<{ userId: string; deleted: boolean }> }>,
  );
  expect(feed.changes.filter((change) => change.userId === 'racer')).toHaveLength(1);
  expect(feed.changes.filter((change) => change.deleted)).toHaveLength(1);
  // Seeding again at start did not duplicate the catalog.
  const catalogPage = await fetch(`${second.url}/movies?limit=100&q=the%20matrix`).then(
    (r) => r.json() as Promise<{ movies: unknown[] }>,
  );
  expect(catalogPage.movies).toHaveLength(1);
  expect(await second.process.stop('SIGTERM')).toBe(0);

  await ferret.stop();
  ferret = await startFerretDB({ dataDir });
  const third = await startData();
  for (const user of Object.keys(expected))
    expect(await ratingsOf(third.url, user)).toEqual(expected[user]);
  expect(await third.process.stop('SIGTERM')).toBe(0);
});

it('refuses to start without AUTH_URL, naming it', async () => {
  const started = await startProcess(process.execPath, [entry], {
    env: { ...process.env, PORT: '1', AUTH_URL: '' },
  });
  expect(await started.exited).toBe(1);
  expect(started.output()).toMatch(/AUTH_URL: required/);
});
