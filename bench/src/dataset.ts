import { createHash } from 'node:crypto';

export const GENRES = [
  'Action',
  'Adventure',
  'Animation',
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Family',
  'Fantasy',
  'History',
  'Horror',
  'Music',
  'Mystery',
  'Romance',
  'Science Fiction',
  'Thriller',
  'War',
  'Western',
] as const;

export interface DatasetMovie {
  id: string;
  title: string;
  year: number;
  genres: string[];
}

export interface DatasetRating {
  userId: string;
  movieId: string;
  rating: number;
}

export interface Dataset {
  seed: number;
  users: string[];
  movies: DatasetMovie[];
  /** In a seeded random order, so any prefix is a representative smaller dataset. */
  ratings: DatasetRating[];
}

export interface DatasetOptions {
  seed?: number;
  users?: number;
  movies?: number;
  ratings?: number;
  /** Movies to use first (the shipped catalog); synthetic ones fill up to `movies`. */
  catalog?: DatasetMovie[];
}

/** mulberry32: a small, fast, seedable PRNG; reproducibility matters here, not crypto. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** Index into a cumulative weight table by binary search. */
function sampleCumulative(cumulative: Float64Array, random: () => number): number {
  const target = random() * (cumulative[cumulative.length - 1] as number);
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cumulative[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A reproducible, realistic rating dataset: movie popularity follows a Zipf-like curve, each
 * user has one to three favourite genres and an activity level (a few heavy raters, many light
 * ones), and a rating is the movie's quality plus the user's genre affinity plus noise — so
 * collaborative filtering has real signal to find.
 */
export function generateDataset(options: DatasetOptions = {}): Dataset {
  const seed = options.seed ?? 42;
  const userCount = options.users ?? 10_000;
  const movieCount = options.movies ?? 5_000;
  const ratingCount = options.ratings ?? 200_000;
  if (ratingCount > userCount * movieCount) {
    throw new Error(
      `ratings: ${ratingCount} is more than users × movies (${userCount * movieCount})`,
    );
  }
  const random = seededRandom(seed);

  const movies: DatasetMovie[] = (options.catalog ?? []).slice(0, movieCount);
  for (let i = movies.length; i < movieCount; i += 1) {
    const genres = [pick(random, GENRES)];
    if (random() < 0.5) {
      const second = pick(random, GENRES);
      if (second !== genres[0]) genres.push(second);
    }
    const year = 1950 + Math.floor(random() * 75);
    movies.push({
      id: `synthetic-${String(i).padStart(5, '0')}-${year}`,
      title: `Synthetic Feature ${i}`,
      year,
      genres,
    });
  }
  const quality = movies.map(() => 2 + random() * 2.5);
  const popularity = new Float64Array(movieCount);
  let running = 0;
  for (let i = 0; i < movieCount; i += 1) {
    running += 1 / Math.pow(i + 1, 0.8);
    popularity[i] = running;
  }

  const users = Array.from(
    { length: userCount },
    (_, i) => `bench-user-${String(i).padStart(5, '0')}`,
  );
  const activity = users.map(() => Math.pow(random(), 2) + 0.05);
  const totalActivity = activity.reduce((sum, a) => sum + a, 0);
  const quotas = activity.map((a) => Math.max(1, Math.floor((a / totalActivity) * ratingCount)));
  let assigned = quotas.reduce((sum, q) => sum + q, 0);
  for (let i = 0; assigned < ratingCount; i = (i + 1) % userCount) {
    if ((quotas[i] as number) < movieCount) {
      quotas[i] = (quotas[i] as number) + 1;
      assigned += 1;
    }
  }
  for (let i = userCount - 1; assigned > ratingCount; i = (i - 1 + userCount) % userCount) {
    if ((quotas[i] as number) > 1) {
      quotas[i] = (quotas[i] as number) - 1;
      assigned -= 1;
    }
  }

  const ratings: DatasetRating[] = [];
  users.forEach((userId, u) => {
    const favourites = new Set<string>(
      [pick(random, GENRES), pick(random, GENRES), pick(random, GENRES)].slice(
        0,
        1 + Math.floor(random() * 3),
      ),
    );
    const seen = new Set<number>();
    const quota = Math.min(quotas[u] as number, movieCount);
    while (seen.size < quota) {
      // Mostly popularity-driven picks; sometimes uniform, so the long tail gets ratings too.
      const index =
        random() < 0.85 ? sampleCumulative(popularity, random) : Math.floor(random() * movieCount);
      if (seen.has(index)) continue;
      seen.add(index);
      const movie = movies[index] as DatasetMovie;
      const affinity = movie.genres.some((g) => favourites.has(g)) ? 0.8 : -0.3;
      const noise = (random() - 0.5) * 1.6;
      const value = Math.round((quality[index] as number) + affinity + noise);
      ratings.push({ userId, movieId: movie.id, rating: Math.min(5, Math.max(1, value)) });
    }
  });

  for (let i = ratings.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [ratings[i], ratings[j]] = [ratings[j] as DatasetRating, ratings[i] as DatasetRating];
  }
  return { seed, users, movies, ratings };
}

/** A short fingerprint of a dataset, printed with benchmark results so runs can be compared. */
export function datasetFingerprint(dataset: Dataset): string {
  const hash = createHash('sha256');
  for (const movie of dataset.movies) hash.update(`${movie.id}|`);
  for (const r of dataset.ratings) hash.update(`${r.userId}:${r.movieId}:${r.rating}|`);
  return hash.digest('hex').slice(0, 16);
}
