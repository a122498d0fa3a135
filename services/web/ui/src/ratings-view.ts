import { api, ApiError } from './api';
import { h } from './dom';
import { toMovie, type MyRating } from './models';
import { empty, errorNotice, loading } from './notice';
import type { Session } from './state';
import { starRating } from './stars';

/** Titles for ratings that came without one (the ratings API may return only movie ids). */
async function withTitles(ratings: MyRating[]): Promise<MyRating[]> {
  return Promise.all(
    ratings.map(async (rating) => {
      if (rating.title) return rating;
      try {
        const movie = toMovie(
          await api<unknown>('catalog', 'GET', `/movies/${encodeURIComponent(rating.movieId)}`),
        );
        return movie ? { ...rating, title: movie.title, year: movie.year } : rating;
      } catch {
        return rating;
      }
    }),
  );
}

/** The user's ratings, newest first, each changeable or removable in place. */
export function ratingsView(session: Session): HTMLElement {
  const status = h('div', { class: 'status' });
  const list = h('ul', { class: 'rating-list', 'aria-label': 'Your ratings' });
  const rateError = h('div', {});

  const load = async () => {
    list.setAttribute('aria-busy', 'true');
    status.replaceChildren(loading('Loading your ratings…'));
    try {
      await session.loadRatings();
      const ratings = await withTitles([...session.ratings.values()]);
      list.replaceChildren(
        ...ratings.map((rating) =>
          h(
            'li',
            { class: 'card rating-row' },
            h(
              'h3',
              { class: 'movie-title' },
              rating.title ?? rating.movieId,
              rating.year ? h('span', { class: 'year' }, ` (${rating.year})`) : null,
            ),
            starRating(
              session,
              { id: rating.movieId, title: rating.title ?? rating.movieId, year: rating.year },
              (message) => rateError.replaceChildren(errorNotice(message)),
            ),
          ),
        ),
      );
      status.replaceChildren(
        ratings.length === 0
          ? empty('You have not rated any movies yet. Find some under “Browse”.')
          : '',
      );
    } catch (error) {
      list.replaceChildren();
      status.replaceChildren(
        errorNotice(
          error instanceof ApiError ? error.message : 'Loading your ratings failed.',
          () => void load(),
        ),
      );
    } finally {
      list.removeAttribute('aria-busy');
    }
  };
  void load();
  return h(
    'section',
    { class: 'view', 'aria-labelledby': 'ratings-title' },
    h('h1', { id: 'ratings-title' }, 'My ratings'),
    rateError,
    status,
    list,
  );
}
