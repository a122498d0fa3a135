// Engine benchmark (not a test):
//   node --expose-gc services/recommendation/bench/engine.mjs [ratings...]   (default 50k 100k 200k)
// Needs the builds of this package and of bench/ (`npx tsc -b services/recommendation bench`):
// the dataset is the system benchmark's (bench/src/dataset.ts: 10k users, the shipped catalog
// grown to 5000 movies, Zipf-like popularity, genre tastes). Each size runs in its own process so
// that memory is measured on a clean heap.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Heap plus typed-array backing stores (which live outside the heap), after a full GC. */
function memoryInUse() {
  globalThis.gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

function run(totalRatings) {
  const { RecommendationModel } = require('../build/engine/model.js');
  const { generateDataset } = require('../../../bench/build/dataset.js');
  const catalog = require('../../data/src/catalog/movies.json');
  const dataset = generateDataset({ seed: 42, ratings: totalRatings, catalog });
  const changes = dataset.ratings.map(({ userId, movieId, rating }) => ({
    userId,
    movieId,
    rating,
  }));
  const byUser = new Map();
  for (const { userId, movieId, rating } of dataset.ratings) {
    if (!byUser.has(userId)) byUser.set(userId, new Map());
    byUser.get(userId).set(movieId, rating);
  }
  const users = [...byUser.values()];

  const before = memoryInUse();
  const model = new RecommendationModel();
  model.setCatalog(dataset.movies.map(({ id, title, genres }) => ({ id, title, genres })));
  // As the service loads: the feed page by page (5000 changes a page), then one refresh.
  let started = performance.now();
  for (let page = 0; page < changes.length; page += 5000)
    model.ingest(changes.slice(page, page + 5000));
  const ingestMs = performance.now() - started;
  started = performance.now();
  model.refresh();
  const neighboursMs = performance.now() - started;
  const modelMiB = (memoryInUse() - before) / 2 ** 20;

  const batch = Array.from({ length: 100 }, (_, index) => ({
    userId: dataset.users[index * 7],
    movieId: dataset.movies[index].id,
    rating: 1 + (index % 5),
  }));
  started = performance.now();
  model.applyChanges(batch);
  const incrementalMs = performance.now() - started;

  let seed = 1;
  const next = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  for (let i = 0; i < 500; i += 1) model.recommend(users[Math.floor(next() * users.length)], 10);
  const timings = [];
  for (let i = 0; i < 3000; i += 1) {
    const ratings = users[Math.floor(next() * users.length)];
    const t = performance.now();
    model.recommend(ratings, 10);
    timings.push(performance.now() - t);
  }
  timings.sort((a, b) => a - b);
  return {
    ratings: changes.length,
    users: byUser.size,
    movies: dataset.movies.length,
    modelMiB: +modelMiB.toFixed(1),
    ingestMs: Math.round(ingestMs),
    neighboursMs: Math.round(neighboursMs),
    incremental100ChangesMs: Math.round(incrementalMs),
    recommendP50Ms: +percentile(timings, 50).toFixed(3),
    recommendP95Ms: +percentile(timings, 95).toFixed(3),
    recommendP99Ms: +percentile(timings, 99).toFixed(3),
  };
}

const sizes = process.argv.slice(2).map(Number);
if (!globalThis.gc)
  throw new Error('run with node --expose-gc (memory is measured after a full GC)');
if (sizes.length === 1) console.log(JSON.stringify(run(sizes[0])));
else
  for (const size of sizes.length > 0 ? sizes : [50_000, 100_000, 200_000])
    process.stdout.write(
      execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), String(size)]),
    );
