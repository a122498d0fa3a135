/**
 * Item-based collaborative filtering with popularity and genre fallbacks, kept in memory.
 *
 * Similarity: mean-centred ("adjusted") cosine between two items over the users who rated both,
 * each user's ratings centred on a damped personal mean, shrunk towards zero when few users
 * co-rated the pair. No pair matrix is stored (memory stays O(ratings) whatever the catalog
 * size): an item's similarities are computed from its raters' ratings when its neighbour list is
 * stale, i.e. when one of its raters changed a rating. Neighbour lists (the K most similar and
 * the K most dissimilar items per item; the dissimilar ones only veto candidates) and popularity
 * orders are refreshed after each batch of changes (cost per stale item: Σ over its raters of
 * their number of ratings). A recommendation then costs
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

interface UserRecord {
  /** item index → rating */
  items: Map<number, number>;
  /** Damped mean the deviations are taken from. */
  mean: number;
  /** The same ratings as parallel arrays (item, deviation from the mean) for the hot loop. */
  itemList: Int32Array;
  deviations: Float64Array;
}

export class RecommendationModel {
  private readonly options: ModelOptions;
  private readonly itemIndex = new Map<string, number>();
  private readonly itemIds: string[] = [];
  private readonly catalog = new Map<string, CatalogMovie>();
  /** item index → whether it is in the catalog (the hot loop avoids string lookups). */
  private inCatalog: boolean[] = [];
  /** item index → (user → rating): who rated each item. */
  private readonly itemRaters: Array<Map<UserRecord, number>> = [];
  private readonly itemSums: number[] = [];
  private readonly itemCounts: number[] = [];
  private ratingSum = 0;
  private ratingCount = 0;
  private readonly users = new Map<string, UserRecord>();
  private neighbourLists: Neighbour[][] = [];
  /** Items whose neighbour list must be recomputed (rated by a user whose ratings changed). */
  private readonly staleItems = new Set<number>();
  private popularityScores: number[] = [];
  private popularOrder: number[] = [];
  private popularByGenre = new Map<string, number[]>();
  private dirty = true;
  // Scratch accumulators reused by neighbour computations (one slot per item).
  private scratch = {
    dot: new Float64Array(0),
    own: new Float64Array(0),
    other: new Float64Array(0),
    count: new Float64Array(0),
  };

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
    // Which items may appear as neighbours changed: recompute every list.
    this.inCatalog = this.itemIds.map((id) => this.catalog.has(id));
    for (let item = 0; item < this.itemIds.length; item += 1) this.staleItems.add(item);
    this.dirty = true;
    this.rebuildPopularity();
  }

  hasMovie(movieId: string): boolean {
    return this.catalog.has(movieId);
  }

  /** Applies changes (the latest state per user and movie; idempotent) and refreshes the derived lists. */
  applyChanges(changes: readonly RatingChange[]): { changedUsers: number } {
    const result = this.ingest(changes);
    this.refresh();
    return result;
  }

  /**
   * Records changes without refreshing neighbour lists (call refresh() after): lets a caller
   * spread the refresh over several event-loop turns.
   */
  ingest(changes: readonly RatingChange[]): { changedUsers: number } {
    const byUser = new Map<string, RatingChange[]>();
    for (const change of changes) {
      const list = byUser.get(change.userId) ?? [];
      list.push(change);
      byUser.set(change.userId, list);
    }
    let changedUsers = 0;
    for (const [userId, userChanges] of byUser) {
      const user = this.users.get(userId) ?? {
        items: new Map<number, number>(),
        mean: MIDPOINT,
        itemList: new Int32Array(0),
        deviations: new Float64Array(0),
      };
      const next = new Map(user.items);
      for (const change of userChanges) {
        const item = this.indexOf(change.movieId);
        if (change.rating === null) next.delete(item);
        else next.set(item, change.rating);
      }
      if (sameRatings(user.items, next)) continue;
      changedUsers += 1;
      this.setUserRatings(userId, user, next);
    }
    if (changedUsers > 0) this.dirty = true;
    return { changedUsers };
  }

  /**
   * Recomputes stale neighbour lists, stopping once `budgetMs` has passed; then, when none is
   * left, the popularity orders. Returns true when everything is up to date. Recommendations
   * made in between use the lists as they are (some fresh, some from the previous refresh).
   */
  refresh(budgetMs = Number.POSITIVE_INFINITY): boolean {
    if (!this.dirty) return true;
    const deadline = performance.now() + budgetMs;
    const limit = this.options.neighbours;
    for (const item of this.staleItems) {
      const similar = new TopK(limit, this.itemIds);
      const dissimilar = new TopK(limit, this.itemIds);
      this.forEachCoRated(item, (other, similarity) => {
        if (!this.inCatalog[other]) return;
        if (similarity > 1e-9) similar.offer(other, similarity);
        else if (similarity < -1e-9) dissimilar.offer(other, similarity);
      });
      this.neighbourLists[item] = [...similar.sorted(), ...dissimilar.sorted()];
      this.staleItems.delete(item);
      if (performance.now() > deadline && this.staleItems.size > 0) return false;
    }
    this.rebuildPopularity();
    this.dirty = false;
    return true;
  }

  /** The model's copy of a user's ratings (as fresh as the last applied change). */
  ratingsOf(userId: string): ReadonlyMap<string, number> {
    const user = this.users.get(userId);
    return new Map([...(user?.items ?? [])].map(([item, rating]) => [this.itemIds[item]!, rating]));
  }

  stats(): { users: number; ratings: number; items: number } {
    return { users: this.users.size, ratings: this.ratingCount, items: this.catalog.size };
  }

  /** Similarity of two movies as used for neighbours (0 when unknown or never co-rated). */
  similarity(a: string, b: string): number {
    const i = this.itemIndex.get(a);
    const j = this.itemIndex.get(b);
    if (i === undefined || j === undefined || i === j) return 0;
    let result = 0;
    this.forEachCoRated(i, (other, similarity) => {
      if (other === j) result = similarity;
    });
    return result;
  }

  /** Top-N for a user whose current ratings are given; never a movie in `ratings`. */
  recommend(ratings: ReadonlyMap<string, number>, limit: number): Recommendation[] {
    const mean = this.dampedMean(ratings.values());
    const picked = new Set<string>(ratings.keys());
    const results: Recommendation[] = [];

    // 1. Neighbours of the rated items, weighted by how far each rating is from the user's mean.
    // Sums live in reusable per-item arrays (recommend is synchronous, so nothing interleaves).
    const { sum, weight, best: bestContribution, bestSource } = this.candidateScratch();
    const touched: number[] = [];
    for (const [movieId, rating] of ratings) {
      const source = this.itemIndex.get(movieId);
      if (source === undefined) continue;
      const deviation = rating - mean;
      for (const { item, similarity } of this.neighbourLists[source] ?? []) {
        if (weight[item] === 0) touched.push(item);
        const contribution = similarity * deviation;
        sum[item]! += contribution;
        weight[item]! += Math.abs(similarity);
        // Only "similar to something you liked" can be a reason.
        if (similarity <= 0 || deviation <= 0) continue;
        const current = bestSource[item]!;
        if (
          current < 0 ||
          contribution > bestContribution[item]! ||
          (contribution === bestContribution[item] &&
            this.itemIds[source]! < this.itemIds[current]!)
        ) {
          bestContribution[item] = contribution;
          bestSource[item] = source;
        }
      }
    }
    // Keep only the best `limit` (score desc, id asc) without sorting every candidate.
    const best: Array<{ movieId: string; score: number; source: number }> = [];
    const ranksBefore = (
      a: { movieId: string; score: number },
      b: { movieId: string; score: number },
    ) => a.score > b.score || (a.score === b.score && a.movieId < b.movieId);
    for (const item of touched) {
      const movieId = this.itemIds[item]!;
      const itemSum = sum[item]!;
      const itemWeight = weight[item]!;
      const source = bestSource[item]!;
      sum[item] = 0;
      weight[item] = 0;
      bestContribution[item] = 0;
      bestSource[item] = -1;
      if (picked.has(movieId) || !this.inCatalog[item]) continue;
      if (itemSum <= 0) {
        // The user's own ratings speak against it: keep it out of the fallbacks too.
        picked.add(movieId);
        continue;
      }
      if (source < 0) continue;
      const predicted = mean + itemSum / (itemWeight + this.options.predictionDamping);
      const entry = { movieId, score: round(clamp(predicted, 1, 5)), source };
      if (best.length === limit && !ranksBefore(entry, best[best.length - 1]!)) continue;
      let index = best.length;
      while (index > 0 && ranksBefore(entry, best[index - 1]!)) index -= 1;
      best.splice(index, 0, entry);
      if (best.length > limit) best.pop();
    }
    for (const { movieId, score, source } of best) {
      results.push({
        movieId,
        title: this.catalog.get(movieId)!.title,
        score,
        kind: 'similar',
        reason: `because you liked ${this.catalog.get(this.itemIds[source]!)?.title ?? this.itemIds[source]}`,
      });
      picked.add(movieId);
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

  private genreAffinity(
    ratings: ReadonlyMap<string, number>,
    mean: number,
  ): Array<[string, number]> {
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

  private candidates = {
    sum: new Float64Array(0),
    weight: new Float64Array(0),
    best: new Float64Array(0),
    bestSource: new Int32Array(0),
  };

  /** Per-item scratch arrays for recommend(), all zero (bestSource -1) between calls. */
  private candidateScratch() {
    const size = this.itemIds.length;
    if (this.candidates.sum.length < size) {
      const capacity = Math.max(64, size * 2);
      this.candidates = {
        sum: new Float64Array(capacity),
        weight: new Float64Array(capacity),
        best: new Float64Array(capacity),
        bestSource: new Int32Array(capacity).fill(-1),
      };
    }
    return this.candidates;
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
    this.inCatalog.push(this.catalog.has(movieId));
    this.itemRaters.push(new Map());
    this.itemSums.push(0);
    this.itemCounts.push(0);
    this.neighbourLists.push([]);
    return index;
  }

  /** Replaces a user's ratings; every item they rated before or now gets a stale neighbour list. */
  private setUserRatings(userId: string, user: UserRecord, next: Map<number, number>): void {
    for (const [item, rating] of user.items) {
      this.itemRaters[item]!.delete(user);
      this.itemSums[item]! -= rating;
      this.itemCounts[item]! -= 1;
      this.ratingSum -= rating;
      this.ratingCount -= 1;
      this.staleItems.add(item);
    }
    user.items = next;
    user.mean = this.dampedMean(next.values());
    user.itemList = Int32Array.from(next.keys());
    user.deviations = Float64Array.from(next.values(), (rating) => rating - user.mean);
    for (const [item, rating] of next) {
      this.itemRaters[item]!.set(user, rating);
      this.itemSums[item]! += rating;
      this.itemCounts[item]! += 1;
      this.ratingSum += rating;
      this.ratingCount += 1;
      this.staleItems.add(item);
    }
    if (next.size === 0) this.users.delete(userId);
    else this.users.set(userId, user);
  }

  /**
   * Calls back with every item co-rated with `item` and their similarity: the shrunk
   * mean-centred cosine over the users who rated both. Cost: Σ over the item's raters of their
   * number of ratings.
   */
  private forEachCoRated(item: number, visit: (other: number, similarity: number) => void): void {
    const size = this.itemIds.length;
    if (this.scratch.dot.length < size) {
      const capacity = Math.max(64, size * 2);
      this.scratch = {
        dot: new Float64Array(capacity),
        own: new Float64Array(capacity),
        other: new Float64Array(capacity),
        count: new Float64Array(capacity),
      };
    }
    const { dot, own, other, count } = this.scratch;
    const touched: number[] = [];
    for (const [user, rating] of this.itemRaters[item]!) {
      const deviation = rating - user.mean;
      const { itemList, deviations } = user;
      for (let index = 0; index < itemList.length; index += 1) {
        const otherItem = itemList[index]!;
        if (otherItem === item) continue;
        const otherDeviation = deviations[index]!;
        if (count[otherItem] === 0) touched.push(otherItem);
        dot[otherItem]! += deviation * otherDeviation;
        own[otherItem]! += deviation * deviation;
        other[otherItem]! += otherDeviation * otherDeviation;
        count[otherItem]! += 1;
      }
    }
    for (const otherItem of touched) {
      const norm = Math.sqrt(own[otherItem]! * other[otherItem]!);
      const n = count[otherItem]!;
      const similarity =
        norm < 1e-12
          ? 0
          : clamp(dot[otherItem]! / norm, -1, 1) * (n / (n + this.options.shrinkage));
      dot[otherItem] = 0;
      own[otherItem] = 0;
      other[otherItem] = 0;
      count[otherItem] = 0;
      visit(otherItem, similarity);
    }
  }

  private rebuildPopularity(): void {
    const globalMean = this.ratingCount > 0 ? this.ratingSum / this.ratingCount : MIDPOINT;
    const damping = this.options.popularityDamping;
    this.popularityScores = this.itemIds.map(
      (_, item) =>
        (damping * globalMean + this.itemSums[item]!) / (damping + this.itemCounts[item]!),
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

/** Keeps the k strongest (by |similarity|, then movie id) of the neighbours offered. */
class TopK {
  private readonly kept: Neighbour[] = [];

  constructor(
    private readonly k: number,
    private readonly ids: readonly string[],
  ) {}

  /** Whether a ranks before b. */
  private before(a: Neighbour, b: Neighbour): boolean {
    const strength = Math.abs(a.similarity) - Math.abs(b.similarity);
    return strength > 0 || (strength === 0 && this.ids[a.item]! < this.ids[b.item]!);
  }

  offer(item: number, similarity: number): void {
    const candidate = { item, similarity };
    if (this.kept.length === this.k && !this.before(candidate, this.kept[this.kept.length - 1]!))
      return;
    // Insertion into a short sorted array: k is small (30).
    let index = this.kept.length;
    while (index > 0 && this.before(candidate, this.kept[index - 1]!)) index -= 1;
    this.kept.splice(index, 0, candidate);
    if (this.kept.length > this.k) this.kept.pop();
  }

  sorted(): Neighbour[] {
    return this.kept;
  }
}

function sameRatings(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): boolean {
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
