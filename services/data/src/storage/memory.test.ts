import { createMemoryStorage } from './memory';
import type { ChangePosition, RatingChange } from './types';

// The in-memory change log skips superseded entries and compacts itself; the shared contract
// suite (repositories.test.ts) covers the rest.
describe('in-memory ratings under churn', () => {
  it('feeds each pair once with its latest state after thousands of rewrites', async () => {
    const { ratings } = createMemoryStorage();
    const latest = new Map<string, number | null>();
    for (let index = 0; index < 3000; index += 1) {
      const user = `u${index % 4}`;
      const movie = `m-${index % 3}`;
      if (index % 7 === 0) {
        await ratings.remove(user, movie);
        if (latest.has(`${user}/${movie}`)) latest.set(`${user}/${movie}`, null);
      } else {
        const value = (index % 5) + 1;
        await ratings.upsert(user, movie, value);
        latest.set(`${user}/${movie}`, value);
      }
    }
    const seen: RatingChange[] = [];
    let after: ChangePosition | undefined;
    for (;;) {
      const page = await ratings.changes({ limit: 5, after });
      seen.push(...page.changes);
      if (!page.hasMore) break;
      after = page.last!;
    }
    const fed = new Map(
      seen.map((change) => [`${change.userId}/${change.movieId}`, change.rating]),
    );
    expect(seen).toHaveLength(fed.size);
    expect(fed).toEqual(latest);
    const u0 = await ratings.listByUser('u0');
    expect(u0.map((rating) => rating.movieId).sort()).toEqual(
      [...latest]
        .filter(([key, value]) => key.startsWith('u0/') && value !== null)
        .map(([key]) => key.slice(3))
        .sort(),
    );
  });
});
