import { api, ApiError, query } from './api';
import { clear, h, nextId } from './dom';
import { toGenres, toMoviePage, type Movie } from './models';
import { empty, errorNotice, loading } from './notice';
import type { Session } from './state';
import { starRating } from './stars';

const PAGE_SIZE = 12;

function movieCard(
  session: Session,
  movie: Movie,
  showError: (message: string) => void,
): HTMLElement {
  return h(
    'li',
    { class: 'card movie' },
    h(
      'h3',
      { class: 'movie-title' },
      movie.title,
      movie.year ? h('span', { class: 'year' }, ` (${movie.year})`) : null,
    ),
    movie.genres.length > 0 ? h('p', { class: 'genres' }, movie.genres.join(' · ')) : null,
    starRating(session, movie, showError),
  );
}

/** Search by title, filter by genre, page through the catalog, rate from the list. */
export function browseView(session: Session): HTMLElement {
  const searchId = nextId('search');
  const genreId = nextId('genre');
  const search = h('input', {
    id: searchId,
    name: 'q',
    type: 'search',
    placeholder: 'e.g. matrix',
    autocomplete: 'off',
  });
  const genre = h(
    'select',
    { id: genreId, name: 'genre' },
    h('option', { value: '' }, 'All genres'),
  );
  const form = h(
    'form',
    { class: 'search', role: 'search' },
    h('div', { class: 'field' }, h('label', { for: searchId }, 'Search titles'), search),
    h('div', { class: 'field' }, h('label', { for: genreId }, 'Genre'), genre),
    h('button', { type: 'submit', class: 'button-primary' }, 'Search'),
  );
  const status = h('div', { class: 'status' });
  const list = h('ul', { class: 'movie-grid', 'aria-label': 'Movies' });
  const previous = h('button', { type: 'button', class: 'button-secondary' }, '← Previous');
  const next = h('button', { type: 'button', class: 'button-secondary' }, 'Next →');
  const pageLabel = h('span', { class: 'page-label', 'aria-live': 'polite' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' }, previous, pageLabel, next);
  const rateError = h('div', {});
  const showRateError = (message: string) => rateError.replaceChildren(errorNotice(message));

  // cursors[i] is the cursor that loads page i (undefined for the first page).
  let cursors: Array<string | undefined> = [undefined];
  let page = 0;
  let nextCursor: string | undefined;
  let generation = 0;

  const load = async () => {
    const current = ++generation;
    list.setAttribute('aria-busy', 'true');
    status.replaceChildren(loading('Loading movies…'));
    rateError.replaceChildren();
    previous.disabled = true;
    next.disabled = true;
    try {
      const answer = await api<unknown>(
        'catalog',
        'GET',
        `/movies${query({ q: search.value.trim(), genre: genre.value, limit: PAGE_SIZE, cursor: cursors[page] })}`,
      );
      if (current !== generation) return;
      const result = toMoviePage(answer);
      nextCursor = result.nextCursor;
      clear(list, ...result.movies.map((movie) => movieCard(session, movie, showRateError)));
      status.replaceChildren(
        result.movies.length === 0 ? empty('No movies match your search.') : '',
      );
      pageLabel.textContent = result.movies.length === 0 ? '' : `Page ${page + 1}`;
      previous.disabled = page === 0;
      next.disabled = nextCursor === undefined;
    } catch (error) {
      if (current !== generation) return;
      clear(list);
      pageLabel.textContent = '';
      status.replaceChildren(
        errorNotice(
          error instanceof ApiError ? error.message : 'Loading movies failed.',
          () => void load(),
        ),
      );
      previous.disabled = page === 0;
    } finally {
      if (current === generation) list.removeAttribute('aria-busy');
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    cursors = [undefined];
    page = 0;
    void load();
  });
  genre.addEventListener('change', () => form.requestSubmit());
  previous.addEventListener('click', () => {
    if (page === 0) return;
    page -= 1;
    void load();
  });
  next.addEventListener('click', () => {
    if (nextCursor === undefined) return;
    cursors[page + 1] = nextCursor;
    page += 1;
    void load();
  });

  api<unknown>('catalog', 'GET', '/genres')
    .then((answer) =>
      genre.append(...toGenres(answer).map((name) => h('option', { value: name }, name))),
    )
    .catch(() => {
      // Without the genre list the search still works; the filter just offers "All genres".
    });
  void load();

  return h(
    'section',
    { class: 'view', 'aria-labelledby': 'browse-title' },
    h('h1', { id: 'browse-title' }, 'Browse movies'),
    form,
    rateError,
    status,
    list,
    pager,
  );
}
