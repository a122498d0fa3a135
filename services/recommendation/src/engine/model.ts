/**
 * Item-based collaborative filtering with popularity and genre fallbacks, kept in memory.
 *
 * Similarity: mean-centred ("adjusted") cosine between two items over the users who rated both,
 * each user's ratings centred on a damped personal mean (so the accumulators of one user depend
 * only on that user's ratings, which keeps updates incremental and exact), shrunk towards zero
 * when few users co-rated the pair. Per pair we keep three running sums (Σ dᵢdⱼ, Σ dᵢ², count);
 * a changed user subtracts their old contribution and adds the new one (cost: their ratings²).
 * Neighbour lists (the K most similar and the K most dissimilar items per item; the dissimilar
 * ones only veto candidates) and popularity orders are rebuilt from
 * the sums after each batch of changes (cost: items²). A recommendation then costs
 * O(user ratings × K + genres × limit): it never scans all ratings.
 */

export interface CatalogMovie {
  id: string;
  title: string;
  genres: string[];
}

export interface RatingChange {
  userId: string;
  movieId: string;
  /** null when the rating was deleted. */
  rating: number | null;
}

export type RecommendationKind = 'similar' | 'genre' | 'popular';

export interface Recommendation {
  movieId: string;
  title: string;
  /** Predicted rating (similar) or damped average rating (genre, popular), on the 1-5 scale. */
  score: number;
  kind: RecommendationKind;
  reason: string;
}

export interface ModelOptions {
  /** Neighbours kept per item, separately for positive and negative similarity. */
  neighbours: number;
  /** Similarity shrinkage: sim × n / (n + shrinkage) for n co-raters. */
  shrinkage: number;
  /** Weight of the scale midpoint in a user's damped mean: (w·3 + Σr) / (w + n). */
  userPriorWeight: number;
  /** C in the popularity score (C·m + Σr) / (C + n), m the mean of all ratings. */
  popularityDamping: number;
  /** Added to Σ|sim| when predicting, so a single weak neighbour predicts little. */
  predictionDamping: number;
}

export const DEFAULT_MODEL_OPTIONS: ModelOptions = {
  neighbours: 30,
  shrinkage: 5,
  userPriorWeight: 2,
  popularityDamping: 10,
  predictionDamping: 1,
};

const MIDPOINT = 3;

interface Neighbour {
  item: number;
  similarity: number;
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class RecommendationModel {
  private readonly options: ModelOptions;
  private readonly itemIndex = new Map<string, number>();
  private itemIds: string[] = [];
  private readonly catalog = new Map<string, CatalogMovie>();
  private capacity = 0;
  private dot = new Float64Array(0);
  private squares = new Float64Array(0);
  private coCounts = new Float64Array(0);
  private itemSums: number[] = [];
  private itemCounts: number[] = [];
  private ratingSum = 0;
  private ratingCount = 0;
  private readonly users = new Map<string, Map<string, number>>();
  private neighbourLists: Neighbour[][] = [];
  private popularityScores: number[] = [];
  private popularOrder: number[] = [];
  private popularByGenre = new Map<string, number[]>();
  private dirty = true;

  constructor(options: Partial<ModelOptions> = {}) {
    this.options = { ...DEFAULT_MODEL_OPTIONS, ...options };
  }

  /** Replaces the catalog (titles and genres); ratings of movies outside it are kept but never recommended. */
  setCatalog(movies: readonly CatalogMovie[]): void {
    this.catalog.clear();
    for (const movie of movies) {
      this.catalog.set(movie.id, { id: movie.id, title: movie.title, genres: [...movie.genres] });
      this.indexOf(movie.id);
    }
    this.dirty = true;
  }

  hasMovie(movieId: string): boolean {
    return this.catalog.has(movieId);
  }

  /** Applies changes (the latest state per user and movie; idempotent) and refreshes the derived lists. */
  applyChanges(changes: readonly RatingChange[]): { changedUsers: number } {
    const byUser = new Map<string, RatingChange[]>();
    for (const change of changes) {
      const list = byUser.get(change.userId) ?? [];
      list.push(change);
      byUser.set(change.userId, list);
    }
    let changedUsers = 0;
    for (const [userId, userChanges] of byUser) {
      const current = this.users.get(userId) ?? new Map<string, number>();
      const next = new Map(current);
      for (const change of userChanges) {
        if (change.rating === null) next.delete(change.movieId);
        else next.set(change.movieId, change.rating);
      }
      if (sameRatings(current, next)) continue;
      changedUsers += 1;
      this.addUser(current, -1);
      this.addUser(next, +1);
      if (next.size === 0) this.users.delete(userId);
      else this.users.set(userId, next);
    }
    if (changedUsers > 0) this.dirty = true;
    this.rebuildIfDirty();
    return { changedUsers };
  }

  /** The model's copy of a user's ratings (as fresh as the last applied change). */
  ratingsOf(userId: string): ReadonlyMap<string, number> {
    return this.users.get(userId) ?? new Map();
  }

  stats(): { users: number; ratings: number; items: number } {
    return { users: this.users.size, ratings: this.ratingCount, items: this.catalog.size };
  }

  /** Similarity of two movies as used for neighbours (0 when unknown or never co-rated). */
  similarity(a: string, b: string): number {
    const i = this.itemIndex.get(a);
    const j = this.itemIndex.get(b);
    if (i === undefined || j === undefined || i === j) return 0;
    return this.similarityOf(i, j);
  }

  /** Top-N for a user whose current ratings are given; never a movie in `ratings`. */
  recommend(ratings: ReadonlyMap<string, number>, limit: number): Recommendation[] {
    this.rebuildIfDirty();
    const mean = this.dampedMean(ratings.values());
    const picked = new Set<string>(ratings.keys());
    const results: Recommendation[] = [];

    // 1. Neighbours of the rated items, weighted by how far each rating is from the user's mean.
    const candidates = new Map<number, { sum: number; weight: number; best: number; bestSource: number }>();
    for (const [movieId, rating] of ratings) {
      const source = this.itemIndex.get(movieId);
      if (source === undefined) continue;
      const deviation = rating - mean;
      for (const { item, similarity } of this.neighbourLists[source] ?? []) {
        const candidate = candidates.get(item) ?? { sum: 0, weight: 0, best: 0, bestSource: -1 };
        const contribution = similarity * deviation;
        candidate.sum += contribution;
        candidate.weight += Math.abs(similarity);
        candidates.set(item, candidate);
        // Only "similar to something you liked" can be a reason.
        if (similarity <= 0 || deviation <= 0) continue;
        if (
          contribution > candidate.best ||
          (contribution === candidate.best && this.itemIds[source]! < this.itemIds[candidate.bestSource]!)
        ) {
          candidate.best = contribution;
          candidate.bestSource = source;
        }
      }
    }
    const similar: Recommendation[] = [];
    for (const [item, candidate] of candidates) {
      const movieId = this.itemIds[item]!;
      const movie = this.catalog.get(movieId);
      if (picked.has(movieId) || !movie) continue;
      if (candidate.sum <= 0) {
        // The user's own ratings speak against it: keep it out of the fallbacks too.
        picked.add(movieId);
        continue;
      }
      if (candidate.bestSource < 0) continue;
      const predicted = mean + candidate.sum / (candidate.weight + this.options.predictionDamping);
      similar.push({
        movieId,
        title: movie.title,
        score: round(clamp(predicted, 1, 5)),
        kind: 'similar',
        reason: `because you liked ${this.catalog.get(this.itemIds[candidate.bestSource]!)?.title ?? this.itemIds[candidate.bestSource]}`,
      });
    }
    similar.sort(byScoreThenId);
    for (const recommendation of similar) {
      if (results.length >= limit) break;
      results.push(recommendation);
      picked.add(recommendation.movieId);
    }

    // 2. Popular movies in the genres the user rates above their own mean.
    if (results.length < limit) {
      const affinity = this.genreAffinity(ratings, mean);
      const genreCandidates = new Map<string, { item: number; genre: string; key: number }>();
      for (const [genre, strength] of affinity) {
        let taken = 0;
        for (const item of this.popularByGenre.get(genre) ?? []) {
          if (taken >= limit) break;
          const movieId = this.itemIds[item]!;
          if (picked.has(movieId)) continue;
          taken += 1;
          const key = this.popularityScores[item]! + strength;
          const existing = genreCandidates.get(movieId);
          if (!existing || key > existing.key) genreCandidates.set(movieId, { item, genre, key });
        }
      }
      const ranked = [...genreCandidates.entries()].sort(
        ([idA, a], [idB, b]) => b.key - a.key || compareIds(idA, idB),
      );
      for (const [movieId, { item, genre }] of ranked) {
        if (results.length >= limit) break;
        results.push({
          movieId,
          title: this.catalog.get(movieId)!.title,
          score: round(this.popularityScores[item]!),
          kind: 'genre',
          reason: `popular in ${genre}, a genre you rate highly`,
        });
        picked.add(movieId);
      }
    }

    // 3. Popular with everyone.
    for (const item of this.popularOrder) {
      if (results.length >= limit) break;
      const movieId = this.itemIds[item]!;
      if (picked.has(movieId)) continue;
      results.push({
        movieId,
        title: this.catalog.get(movieId)!.title,
        score: round(this.popularityScores[item]!),
        kind: 'popular',
        reason: 'popular with everyone',
      });
      picked.add(movieId);
    }
    return results;
  }

  private genreAffinity(ratings: ReadonlyMap<string, number>, mean: number): Array<[string, number]> {
    const totals = new Map<string, { sum: number; count: number }>();
    for (const [movieId, rating] of ratings) {
      for (const genre of this.catalog.get(movieId)?.genres ?? []) {
        const total = totals.get(genre) ?? { sum: 0, count: 0 };
        total.sum += rating - mean;
        total.count += 1;
        totals.set(genre, total);
      }
    }
    return [...totals.entries()]
      .map(([genre, { sum, count }]): [string, number] => [genre, sum / (count + 1)])
      .filter(([, strength]) => strength > 0)
      .sort(([genreA, a], [genreB, b]) => b - a || compareIds(genreA, genreB));
  }

  private dampedMean(ratings: Iterable<number>): number {
    let sum = 0;
    let count = 0;
    for (const rating of ratings) {
      sum += rating;
      count += 1;
    }
    const weight = this.options.userPriorWeight;
    return (weight * MIDPOINT + sum) / (weight + count);
  }

  private indexOf(movieId: string): number {
    const known = this.itemIndex.get(movieId);
    if (known !== undefined) return known;
    const index = this.itemIds.length;
    this.itemIds.push(movieId);
    this.itemIndex.set(movieId, index);
    this.itemSums.push(0);
    this.itemCounts.push(0);
    if (index >= this.capacity) this.grow(Math.max(64, this.capacity * 2));
    return index;
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    const resize = (source: Float64Array) => {
      const target = new Float64Array(capacity * capacity);
      for (let row = 0; row < old; row += 1) target.set(source.subarray(row * old, row * old + old), row * capacity);
      return target;
    };
    this.dot = resize(this.dot);
    this.squares = resize(this.squares);
    this.coCounts = resize(this.coCounts);
    this.capacity = capacity;
  }

  /** Adds (sign +1) or removes (sign -1) one user's contribution to every sum. */
  private addUser(ratings: ReadonlyMap<string, number>, sign: 1 | -1): void {
    if (ratings.size === 0) return;
    const mean = this.dampedMean(ratings.values());
    const items: number[] = [];
    const deviations: number[] = [];
    for (const [movieId, rating] of ratings) {
      const item = this.indexOf(movieId);
      items.push(item);
      deviations.push(rating - mean);
      this.itemSums[item]! += sign * rating;
      this.itemCounts[item]! += sign;
      this.ratingSum += sign * rating;
      this.ratingCount += sign;
    }
    const size = this.capacity;
    for (let a = 0; a < items.length; a += 1) {
      const row = items[a]! * size;
      const da = deviations[a]!;
      for (let b = 0; b < items.length; b += 1) {
        if (a === b) continue;
        const cell = row + items[b]!;
        const db = deviations[b]!;
        this.dot[cell]! += sign * da * db;
        this.squares[cell]! += sign * da * da;
        this.coCounts[cell]! += sign;
        if (this.coCounts[cell] === 0) {
          // Clear floating-point residue once nobody co-rates the pair any more.
          this.dot[cell] = 0;
          this.squares[cell] = 0;
        }
      }
    }
  }

  private similarityOf(i: number, j: number): number {
    const size = this.capacity;
    const count = this.coCounts[i * size + j]!;
    if (count <= 0) return 0;
    const norm = Math.sqrt(Math.max(0, this.squares[i * size + j]!) * Math.max(0, this.squares[j * size + i]!));
    if (norm < 1e-12) return 0;
    const cosine = this.dot[i * size + j]! / norm;
    return clamp(cosine, -1, 1) * (count / (count + this.options.shrinkage));
  }

  private rebuildIfDirty(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const itemCount = this.itemIds.length;
    const lists: Neighbour[][] = [];
    for (let i = 0; i < itemCount; i += 1) {
      const similar: Neighbour[] = [];
      const dissimilar: Neighbour[] = [];
      for (let j = 0; j < itemCount; j += 1) {
        if (i === j || !this.catalog.has(this.itemIds[j]!)) continue;
        const similarity = this.similarityOf(i, j);
        if (similarity > 1e-9) similar.push({ item: j, similarity });
        else if (similarity < -1e-9) dissimilar.push({ item: j, similarity });
      }
      const strongestFirst = (a: Neighbour, b: Neighbour) =>
        Math.abs(b.similarity) - Math.abs(a.similarity) || compareIds(this.itemIds[a.item]!, this.itemIds[b.item]!);
      similar.sort(strongestFirst);
      dissimilar.sort(strongestFirst);
      lists.push([...similar.slice(0, this.options.neighbours), ...dissimilar.slice(0, this.options.neighbours)]);
    }
    this.neighbourLists = lists;

    const globalMean = this.ratingCount > 0 ? this.ratingSum / this.ratingCount : MIDPOINT;
    const damping = this.options.popularityDamping;
    this.popularityScores = this.itemIds.map(
      (_, item) => (damping * globalMean + this.itemSums[item]!) / (damping + this.itemCounts[item]!),
    );
    this.popularOrder = this.itemIds
      .map((_, item) => item)
      .filter((item) => this.catalog.has(this.itemIds[item]!))
      .sort(
        (a, b) =>
          this.popularityScores[b]! - this.popularityScores[a]! ||
          this.itemCounts[b]! - this.itemCounts[a]! ||
          compareIds(this.itemIds[a]!, this.itemIds[b]!),
      );
    this.popularByGenre = new Map();
    for (const item of this.popularOrder) {
      for (const genre of this.catalog.get(this.itemIds[item]!)!.genres) {
        const list = this.popularByGenre.get(genre) ?? [];
        list.push(item);
        this.popularByGenre.set(genre, list);
      }
    }
  }
}

function sameRatings(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [movieId, rating] of a) if (b.get(movieId) !== rating) return false;
  return true;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function byScoreThenId(a: Recommendation, b: Recommendation): number {
  return b.score - a.score || compareIds(a.movieId, b.movieId);
}
