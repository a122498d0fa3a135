// Service benchmark (not a test), the recommendation process alone:
//   node services/recommendation/bench/service.mjs [ratings] [--entry build/other.js] [--requests N]
// Needs the builds of this package and of bench/ (`npx tsc -b services/recommendation bench`).
// Starts a loopback stand-in for data (catalog, change feed, per-user ratings) and auth (JWKS)
// that serves the system benchmark's dataset from precomputed pages, so data's own cost is left
// out; starts `node build/index.js` with NODE_ENV=production; reports process start → first
// /readyz 200, RSS when ready, GET /recommendations latency over N sequential requests, and RSS
// after 2 s idle. Compare with the system benchmark (`npm run bench`) for the whole stack.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const jwt = require('jsonwebtoken');
const { generateDataset } = require('../../../bench/build/dataset.js');
const catalog = require('../../data/src/catalog/movies.json');
const serviceDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : fallback;
};
const entry = option('--entry', 'build/index.js');
const requests = Number(option('--requests', '2000'));
const size = Number(args[0] ?? 200_000);

const dataset = generateDataset({ seed: 42, ratings: size, catalog });
const epoch = Date.UTC(2026, 0, 1);
const changes = dataset.ratings.map(({ userId, movieId, rating }, index) => ({
  userId,
  movieId,
  rating,
  deleted: false,
  updatedAt: new Date(epoch + index).toISOString(),
}));
// What data's per-user marker says: the newest change of each user (all of them in the feed).
const newestByUser = new Map();
for (const change of changes) newestByUser.set(change.userId, Date.parse(change.updatedAt));
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bench', alg: 'RS256', use: 'sig' };

const pages = new Map(); // "start/limit" → body: the feed costs this stand-in nothing
const json = (res, body) => {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length });
  res.end(bytes);
};
const standIn = createServer((req, res) => {
  const url = new URL(req.url, 'http://stand-in');
  const start = Number(url.searchParams.get('cursor') ?? 0);
  const limit = Number(url.searchParams.get('limit') ?? 20);
  if (url.pathname === '/.well-known/jwks.json') return json(res, { keys: [jwk] });
  if (url.pathname === '/movies') {
    const movies = dataset.movies.slice(start, start + limit);
    const more = start + limit < dataset.movies.length;
    return json(res, { movies, nextCursor: more ? String(start + limit) : null });
  }
  if (url.pathname === '/internal/ratings') {
    const key = `${start}/${limit}`;
    if (!pages.has(key)) {
      const page = changes.slice(start, start + limit);
      const body = {
        changes: page,
        nextCursor: page.length > 0 ? String(start + page.length) : null,
        hasMore: start + limit < changes.length,
      };
      pages.set(key, Buffer.from(JSON.stringify(body)));
    }
    return json(res, pages.get(key));
  }
  const user = /^\/internal\/users\/([^/]+)\/newest$/.exec(url.pathname);
  if (user) {
    const userId = decodeURIComponent(user[1]);
    return json(res, { userId, newest: newestByUser.get(userId) ?? null });
  }
  res.writeHead(404).end();
});
await new Promise((resolve) => standIn.listen(0, '127.0.0.1', resolve));
const standInUrl = `http://127.0.0.1:${standIn.address().port}`;
// Warm the page cache for the service's page size, so the measured start pays no serialisation.
for (let start = 0; start < changes.length; start += 5000)
  await fetch(`${standInUrl}/internal/ratings?limit=5000&cursor=${start}`).then((r) =>
    r.arrayBuffer(),
  );

const rssMiB = (pid) =>
  Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const port = 20_000 + Math.floor(Math.random() * 20_000);
const serviceUrl = `http://127.0.0.1:${port}`;
const started = performance.now();
const child = spawn(process.execPath, [path.join(serviceDir, entry)], {
  env: {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    AUTH_URL: standInUrl,
    DATA_URL: standInUrl,
    UPSTREAM_TIMEOUT_MS: '60000',
    SHUTDOWN_DRAIN_MS: '100',
    LOG_LEVEL: 'error',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
for (;;) {
  const status = await fetch(`${serviceUrl}/readyz`).then(
    (r) => r.status,
    () => 0,
  );
  if (status === 200) break;
  if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
  await new Promise((resolve) => setTimeout(resolve, 20));
}
const readyMs = performance.now() - started;
const readyRss = rssMiB(child.pid);

const timings = [];
for (let i = 0; i < requests; i += 1) {
  const token = jwt.sign({ sub: dataset.users[(i * 37) % dataset.users.length] }, privateKey, {
    algorithm: 'RS256',
    keyid: 'bench',
    issuer: 'movies-auth',
    audience: 'movies',
    expiresIn: 600,
  });
  const t = performance.now();
  const response = await fetch(`${serviceUrl}/recommendations`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`GET /recommendations answered ${response.status}`);
  timings.push(performance.now() - t);
}
timings.sort((a, b) => a - b);
await new Promise((resolve) => setTimeout(resolve, 2000));
const idleRss = rssMiB(child.pid);
child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
standIn.close();
const at = (p) =>
  +timings[Math.min(timings.length - 1, Math.floor((p / 100) * timings.length))].toFixed(2);
console.log(
  JSON.stringify({
    entry,
    ratings: size,
    readyMs: Math.round(readyMs),
    readyRssMiB: +readyRss.toFixed(1),
    requests,
    p50Ms: at(50),
    p95Ms: at(95),
    idleRssAfterRequestsMiB: +idleRss.toFixed(1),
  }),
);
