// Engine benchmark (not a test): node services/recommendation/bench/engine.mjs [ratings...]
// Needs the build (`npx tsc -b services/recommendation`). Synthetic data with taste structure:
// each user prefers a few genres; ratings follow preference plus noise (seeded, reproducible).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { RecommendationModel } = require('../build/engine/model.js');
const shipped = require('../../data/src/catalog/movies.json');
// MOVIES=5000 extends the shipped catalog with synthetic movies (as the system benchmark does).
const movieCount = Number(process.env.MOVIES ?? shipped.length);
const catalog = [...shipped];
for (let i = catalog.length; i < movieCount; i += 1) {
  catalog.push({
    id: `synthetic-${i}-2000`,
    title: `Synthetic ${i}`,
    genres: [shipped[i % shipped.length].genres[0]],
  });
}

function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function run(totalRatings) {
  const next = random(totalRatings);
  const genres = [...new Set(catalog.flatMap((movie) => movie.genres))];
  const perUser = 50;
  const users = Math.ceil(totalRatings / perUser);
  const changes = [];
  const byUser = [];
  for (let u = 0; u < users; u += 1) {
    const liked = new Set([
      genres[Math.floor(next() * genres.length)],
      genres[Math.floor(next() * genres.length)],
    ]);
    const mine = new Map();
    while (mine.size < perUser && changes.length < totalRatings) {
      // Zipf-like popularity: low indexes are picked far more often.
      const movie = catalog[Math.floor(catalog.length * next() ** 3)];
      if (mine.has(movie.id)) continue;
      const affinity = movie.genres.some((genre) => liked.has(genre)) ? 1.5 : -0.5;
      const rating = Math.max(1, Math.min(5, Math.round(3 + affinity + (next() - 0.5) * 2)));
      mine.set(movie.id, rating);
      changes.push({ userId: `u${u}`, movieId: movie.id, rating });
    }
    byUser.push(mine);
  }

  const model = new RecommendationModel();
  model.setCatalog(catalog);
  let started = performance.now();
  model.applyChanges(changes);
  const fullLoadMs = performance.now() - started;

  const batch = Array.from({ length: 100 }, (_, index) => ({
    userId: `u${index * 7}`,
    movieId: catalog[index].id,
    rating: 1 + (index % 5),
  }));
  started = performance.now();
  model.applyChanges(batch);
  const incrementalMs = performance.now() - started;

  const timings = [];
  for (let i = 0; i < 2000; i += 1) {
    const ratings = byUser[Math.floor(next() * byUser.length)];
    const t = performance.now();
    model.recommend(ratings, 10);
    timings.push(performance.now() - t);
  }
  timings.sort((a, b) => a - b);
  return {
    movies: catalog.length,
    ratings: changes.length,
    users,
    fullLoadMs: Math.round(fullLoadMs),
    incremental100ChangesMs: Math.round(incrementalMs),
    recommendP50Ms: +percentile(timings, 50).toFixed(3),
    recommendP95Ms: +percentile(timings, 95).toFixed(3),
  };
}

const sizes = process.argv.slice(2).map(Number);
for (const size of sizes.length > 0 ? sizes : [50_000, 100_000, 200_000])
  console.log(JSON.stringify(run(size)));
