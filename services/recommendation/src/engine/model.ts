import { Interner, findPacked, grown, isRating, pack, packedIndex, packedRating } from './compact';
import { NeighbourTable, StrongestNeighbours } from './neighbours';

/**
 * Item-based collaborative filtering with popularity and genre fallbacks, kept in memory.
 *
 * Similarity: mean-centred ("adjusted") cosine between two items over the users who rated both,
 * each user's ratings centred on a damped personal mean, shrunk towards zero when few users
 * co-rated the pair. No pair matrix is stored (memory stays O(ratings) whatever the catalog
 * size): an item's similarities are computed from its raters' ratings when its neighbour list is
 * stale, i.e. when one of its raters changed a rating. Storage is compact (see compact.ts): users
 * and items are interned to indices, each user's ratings and each item's raters are packed int32
 * lists, neighbour lists live in flat typed arrays. Neighbour lists (the K most similar and
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

const NO_RATINGS = new Int32Array(0);

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class RecommendationModel {
  private readonly options: ModelOptions;
  private readonly items = new Interner('movies');
  private readonly itemIds = this.items.ids;
  private readonly catalog = new Map<string, CatalogMovie>();
  /** item index → 1 when it is in the catalog (the hot loops avoid string lookups). */
  private inCatalog = new Uint8Array(0);
  /** item index → its raters, packed (user index, rating), unordered; `raterCounts` long. */
  private readonly itemRaters: Int32Array[] = [];
  private raterCounts = new Int32Array(0);
  private itemSums = new Float64Array(0);
  private ratingSum = 0;
  private ratingCount = 0;
  private readonly users = new Interner('users');
  /** user index → their ratings, packed (item index, rating), sorted by item; `userLengths` long. */
  private readonly userRatings: Int32Array[] = [];
  private userLengths = new Int32Array(0);
  /** user index → damped mean their deviations are taken from. */
  private userMeans = new Float64Array(0);
  /** user index → sum of their ratings. */
  private userSums = new Float64Array(0);
  private userCount = 0;
  /** user index → value of `staleEpoch` when their items were last all marked stale. */
  private userStaleEpoch = new Int32Array(0);
  private staleEpoch = 1;
  /** user index → number of the ingest() call that last changed them (counts each user once). */
  private changedInCall = new Int32Array(0);
  private ingestCalls = 0;
  private readonly neighbours: NeighbourTable;
  /** Items whose neighbour list must be recomputed (rated by a user whose ratings changed). */
  private staleFlags = new Uint8Array(0);
  private readonly staleItems: number[] = [];
  private popularityScores = new Float64Array(0);
  private popularOrder: number[] = [];
  private popularByGenre = new Map<string, number[]>();
  private dirty = true;
  /**
   * Scratch sums reused by neighbour computations: per item, 4 consecutive slots (dot product,
   * own squares, other squares, co-rater count) so one item's sums share a cache line.
   */
  private sums = new Float64Array(0);
  private touched = new Int32Array(0);
  private readonly similar: StrongestNeighbours;
  private readonly dissimilar: StrongestNeighbours;

  constructor(options: Partial<ModelOptions> = {}) {
    this.options = { ...DEFAULT_MODEL_OPTIONS, ...options };
    this.neighbours = new NeighbourTable(2 * this.options.neighbours);
    this.similar = new StrongestNeighbours(this.options.neighbours);
    this.dissimilar = new StrongestNeighbours(this.options.neighbours);
  }

  /** Replaces the catalog (titles and genres); ratings of movies outside it are kept but never recommended. */
  setCatalog(movies: readonly CatalogMovie[]): void {
    this.catalog.clear();
    for (const movie of movies) {
      this.catalog.set(movie.id, { id: movie.id, title: movie.title, genres: [...movie.genres] });
      this.indexOf(movie.id);
    }
    // Which items may appear as neighbours changed: recompute every list.
    for (let item = 0; item < this.itemIds.length; item += 1) {
      this.inCatalog[item] = this.catalog.has(this.itemIds[item]!) ? 1 : 0;
      this.markStale(item);
    }
    this.dirty = true;
    this.rebuildPopularity();
  }

  hasMovie(movieId: string): boolean {
    return this.catalog.has(movieId);
  }

  /** Whether some movie outside the catalog has ratings (the catalog read may have missed it). */
  ratedOutsideCatalog(): boolean {
    for (let item = 0; item < this.itemIds.length; item += 1)
      if (this.inCatalog[item] === 0 && this.raterCounts[item]! > 0) return true;
    return false;
  }

  /** Applies changes (the latest state per user and movie; idempotent) and refreshes the derived lists. */
  applyChanges(changes: readonly RatingChange[]): { changedUsers: number } {
    const result = this.ingest(changes);
    this.refresh();
    return { changedUsers: result.changedUsers };
  }

  /**
   * Records changes without refreshing neighbour lists (call refresh() after): lets a caller
   * spread the refresh over several event-loop turns, or ingest a feed page by page. Later
   * changes of the same user and movie win. Throws (naming the change) before recording
   * anything when a rating is not an integer 1–5 or null.
   */
  ingest(changes: readonly RatingChange[]): { changedUsers: number; changedUserIds: string[] } {
    changes.forEach((change, index) => {
      if (change.rating !== null && !isRating(change.rating))
        throw new RangeError(
          `changes[${index}].rating: ${String(change.rating)} is not an integer 1–5 or null`,
        );
    });
    this.ingestCalls += 1;
    const changedUserIds: string[] = [];
    for (const change of changes) {
      const rating = change.rating ?? 0;
      const known = this.users.get(change.userId);
      if (known === undefined && rating === 0) continue;
      const user = known ?? this.userIndexOf(change.userId);
      if (!this.setRating(user, this.indexOf(change.movieId), rating)) continue;
      if (this.changedInCall[user] === this.ingestCalls) continue;
      this.changedInCall[user] = this.ingestCalls;
      changedUserIds.push(change.userId);
    }
    if (changedUserIds.length > 0) this.dirty = true;
    return { changedUsers: changedUserIds.length, changedUserIds };
  }

  /**
   * Recomputes stale neighbour lists, stopping once `budgetMs` has passed; then, when none is
   * left, the popularity orders. Returns true when everything is up to date. Recommendations
   * made in between use the lists as they are (some fresh, some from the previous refresh).
   */
  refresh(budgetMs = Number.POSITIVE_INFINITY): boolean {
    if (!this.dirty) return true;
    const deadline = performance.now() + budgetMs;
    this.staleEpoch += 1; // lists may be recomputed from here: see setRating
    const { similar, dissimilar } = this;
    const idOrder = this.idOrder();
    this.neighbours.reserve(this.itemIds.length);
    while (this.staleItems.length > 0) {
      const item = this.staleItems.pop()!;
      this.staleFlags[item] = 0;
      similar.clear(idOrder);
      dissimilar.clear(idOrder);
      this.selectNeighbours(this.accumulateCoRatings(item));
      this.neighbours.set(item, similar, dissimilar);
      if (this.staleItems.length > 0 && performance.now() > deadline) return false;
    }
    this.rebuildPopularity();
    this.dirty = false;
    return true;
  }

  /** The model's copy of a user's ratings (as fresh as the last applied change). */
  ratingsOf(userId: string): ReadonlyMap<string, number> {
    const user = this.users.get(userId);
    const result = new Map<string, number>();
    if (user === undefined) return result;
    const list = this.userRatings[user]!;
    for (let index = 0; index < this.userLengths[user]!; index += 1)
      result.set(this.itemIds[packedIndex(list[index]!)]!, packedRating(list[index]!));
    return result;
  }

  stats(): { users: number; ratings: number; items: number } {
    return { users: this.userCount, ratings: this.ratingCount, items: this.catalog.size };
  }

  /** Similarity of two movies as used for neighbours (0 when unknown or never co-rated). */
  similarity(a: string, b: string): number {
    const i = this.items.get(a);
    const j = this.items.get(b);
    if (i === undefined || j === undefined || i === j) return 0;
    let result = 0;
    const touchedCount = this.accumulateCoRatings(i);
    const touched = this.touched;
    for (let t = 0; t < touchedCount; t += 1) {
      const similarity = this.takeSimilarity(touched[t]!);
      if (touched[t] === j) result = similarity;
    }
    return result;
  }

  /**
   * The movie's neighbour list as recommendations use it: the most similar movies (strongest
   * first), then the most dissimilar ones. Empty for an unknown movie.
   */
  neighboursOf(movieId: string): Array<{ movieId: string; similarity: number }> {
    const item = this.items.get(movieId);
    if (item === undefined) return [];
    const start = this.neighbours.start(item);
    return Array.from({ length: this.neighbours.count(item) }, (_, offset) => ({
      movieId: this.itemIds[this.neighbours.items[start + offset]!]!,
      similarity: this.neighbours.similarities[start + offset]!,
    }));
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
      const source = this.items.get(movieId);
      if (source === undefined) continue;
      const deviation = rating - mean;
      const { items: neighbourItems, similarities } = this.neighbours;
      const first = this.neighbours.start(source);
      const end = first + this.neighbours.count(source);
      for (let at = first; at < end; at += 1) {
        const item = neighbourItems[at]!;
        const similarity = similarities[at]!;
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
    return this.dampedMeanOf(sum, count);
  }

  private dampedMeanOf(sum: number, count: number): number {
    const weight = this.options.userPriorWeight;
    return (weight * MIDPOINT + sum) / (weight + count);
  }

  private indexOf(movieId: string): number {
    return this.items.intern(movieId, (index) => {
      this.inCatalog = grown(this.inCatalog, index + 1);
      this.inCatalog[index] = this.catalog.has(movieId) ? 1 : 0;
      this.itemRaters.push(NO_RATINGS);
      this.raterCounts = grown(this.raterCounts, index + 1);
      this.itemSums = grown(this.itemSums, index + 1);
      this.staleFlags = grown(this.staleFlags, index + 1);
    });
  }

  private userIndexOf(userId: string): number {
    return this.users.intern(userId, (index) => {
      this.userRatings.push(NO_RATINGS);
      this.userMeans = grown(this.userMeans, index + 1);
      this.userSums = grown(this.userSums, index + 1);
      this.userLengths = grown(this.userLengths, index + 1);
      this.userStaleEpoch = grown(this.userStaleEpoch, index + 1);
      this.changedInCall = grown(this.changedInCall, index + 1);
    });
  }

  private idOrderCache = new Int32Array(0);

  /** item index → rank of its movie id in id order (recomputed when items were added). */
  private idOrder(): Int32Array {
    if (this.idOrderCache.length === this.itemIds.length) return this.idOrderCache;
    const order = new Int32Array(this.itemIds.length);
    this.itemIds
      .map((_, item) => item)
      .sort((a, b) => compareIds(this.itemIds[a]!, this.itemIds[b]!))
      .forEach((item, rank) => {
        order[item] = rank;
      });
    this.idOrderCache = order;
    return order;
  }

  private markStale(item: number): void {
    if (this.staleFlags[item] === 1) return;
    this.staleFlags[item] = 1;
    this.staleItems.push(item);
  }

  /**
   * Sets `user`'s rating of `item` (0: none). Returns whether it changed; if so, every item the
   * user rates gets a stale neighbour list (the user's mean, hence every deviation, moved).
   * Marking is done once per user between two refresh() calls: a user stamped with the current
   * `staleEpoch` has all their items marked already, and none has been recomputed since.
   */
  private setRating(user: number, item: number, rating: number): boolean {
    let list = this.userRatings[user]!;
    const length = this.userLengths[user]!;
    const at = findPacked(list, length, item);
    const previous = at >= 0 ? packedRating(list[at]!) : 0;
    if (previous === rating) return false;
    if (this.userStaleEpoch[user] !== this.staleEpoch) {
      this.userStaleEpoch[user] = this.staleEpoch;
      for (let index = 0; index < length; index += 1) this.markStale(packedIndex(list[index]!));
    }
    this.markStale(item);
    this.setRater(item, user, previous, rating);
    let nextLength = length;
    if (at >= 0 && rating !== 0) {
      list[at] = pack(item, rating);
    } else if (at >= 0) {
      list.copyWithin(at, at + 1, length);
      nextLength -= 1;
    } else {
      const insertAt = -at - 1;
      if (length === list.length) this.userRatings[user] = list = grown(list, length + 1);
      list.copyWithin(insertAt + 1, insertAt, length);
      list[insertAt] = pack(item, rating);
      nextLength += 1;
    }
    this.userLengths[user] = nextLength;
    this.userSums[user]! += rating - previous;
    this.userMeans[user] = this.dampedMeanOf(this.userSums[user]!, nextLength);
    if (length === 0) this.userCount += 1;
    if (nextLength === 0) this.userCount -= 1;
    return true;
  }

  /** Records that `user` now rates `item` `rating` (0: not at all) where it was `previous`. */
  private setRater(item: number, user: number, previous: number, rating: number): void {
    let raters = this.itemRaters[item]!;
    const count = this.raterCounts[item]!;
    this.itemSums[item]! += rating - previous;
    this.ratingSum += rating - previous;
    if (previous === 0) {
      if (count === raters.length) this.itemRaters[item] = raters = grown(raters, count + 1);
      raters[count] = pack(user, rating);
      this.raterCounts[item] = count + 1;
      this.ratingCount += 1;
      return;
    }
    let at = 0;
    while (at < count && packedIndex(raters[at]!) !== user) at += 1;
    if (at === count)
      throw new Error(`model: user ${user} missing from the raters of item ${item}`);
    if (rating !== 0) {
      raters[at] = pack(user, rating);
      return;
    }
    raters[at] = raters[count - 1]!;
    this.raterCounts[item] = count - 1;
    this.ratingCount -= 1;
  }

  /**
   * Sums, for every item co-rated with `item`, the deviation products and squares over the
   * users who rated both into the scratch sums; returns how many items it touched (listed in
   * `touched`). Each must then be read with takeSimilarity(), which clears its slots.
   * Cost: Σ over the item's raters of their number of ratings.
   */
  private accumulateCoRatings(item: number): number {
    const size = this.itemIds.length;
    if (this.touched.length < size) {
      this.sums = new Float64Array(size * 2 * 4);
      this.touched = new Int32Array(size * 2);
    }
    const { sums, touched } = this;
    const raters = this.itemRaters[item]!;
    const raterCount = this.raterCounts[item]!;
    const { userRatings, userLengths, userMeans } = this;
    let touchedCount = 0;
    for (let r = 0; r < raterCount; r += 1) {
      const rater = raters[r]!;
      const user = packedIndex(rater);
      const mean = userMeans[user]!;
      const deviation = packedRating(rater) - mean;
      const squared = deviation * deviation;
      const list = userRatings[user]!;
      const length = userLengths[user]!;
      for (let index = 0; index < length; index += 1) {
        const entry = list[index]!;
        const otherItem = packedIndex(entry);
        if (otherItem === item) continue;
        const otherDeviation = packedRating(entry) - mean;
        const slot = otherItem * 4;
        if (sums[slot + 3] === 0) touched[touchedCount++] = otherItem;
        sums[slot]! += deviation * otherDeviation;
        sums[slot + 1]! += squared;
        sums[slot + 2]! += otherDeviation * otherDeviation;
        sums[slot + 3]! += 1;
      }
    }
    return touchedCount;
  }

  /** Offers the accumulated candidates to `similar` / `dissimilar`, clearing every slot. */
  private selectNeighbours(touchedCount: number): void {
    const { touched, sums, inCatalog, similar, dissimilar } = this;
    const shrinkage = this.options.shrinkage;
    for (let t = 0; t < touchedCount; t += 1) {
      const other = touched[t]!;
      // |similarity| ≤ n / (n + shrinkage) and its sign is the sign of the dot product: skip
      // what cannot enter its list (most pairs have few co-raters) without computing it.
      const slot = other * 4;
      const dot = sums[slot]!;
      const n = sums[slot + 3]!;
      const bound = n / (n + shrinkage);
      if (
        inCatalog[other] === 0 ||
        dot === 0 ||
        bound < (dot > 0 ? similar.weakest() : dissimilar.weakest())
      ) {
        this.clearSums(other);
        continue;
      }
      const similarity = this.takeSimilarity(other);
      if (similarity > 1e-9) similar.offer(other, similarity);
      else if (similarity < -1e-9) dissimilar.offer(other, similarity);
    }
  }

  /** The shrunk mean-centred cosine from an item's accumulated sums, clearing them. */
  private takeSimilarity(otherItem: number): number {
    const { sums } = this;
    const slot = otherItem * 4;
    const norm = Math.sqrt(sums[slot + 1]! * sums[slot + 2]!);
    const n = sums[slot + 3]!;
    const similarity =
      norm < 1e-12 ? 0 : clamp(sums[slot]! / norm, -1, 1) * (n / (n + this.options.shrinkage));
    this.clearSums(otherItem);
    return similarity;
  }

  private clearSums(otherItem: number): void {
    // Four writes, not fill(): a builtin call per slot costs more than the sums themselves.
    const slot = otherItem * 4;
    this.sums[slot] = 0;
    this.sums[slot + 1] = 0;
    this.sums[slot + 2] = 0;
    this.sums[slot + 3] = 0;
  }

  private rebuildPopularity(): void {
    const globalMean = this.ratingCount > 0 ? this.ratingSum / this.ratingCount : MIDPOINT;
    const damping = this.options.popularityDamping;
    const scores = new Float64Array(this.itemIds.length);
    const counts = this.raterCounts;
    for (let item = 0; item < scores.length; item += 1)
      scores[item] = (damping * globalMean + this.itemSums[item]!) / (damping + counts[item]!);
    this.popularityScores = scores;
    this.popularOrder = this.itemIds
      .map((_, item) => item)
      .filter((item) => this.inCatalog[item] === 1)
      .sort(
        (a, b) =>
          scores[b]! - scores[a]! ||
          counts[b]! - counts[a]! ||
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

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
