// The shapes the page works with, read defensively from the API's answers.

export interface Movie {
  id: string;
  title: string;
  year?: number;
  genres: string[];
}

export interface MoviePage {
  movies: Movie[];
  nextCursor?: string;
}

export interface MyRating {
  movieId: string;
  rating: number;
  title?: string;
  year?: number;
}

export interface Recommendation {
  movieId: string;
  title: string;
  score?: number;
  reason: string;
}

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return value !== null && typeof value === 'object' ? (value as Json) : {};
}

/** The list inside an answer: the answer itself, or its first array under one of `keys`. */
export function listOf(value: unknown, keys: string[]): unknown[] {
  if (Array.isArray(value)) return value;
  const object = record(value);
  for (const key of keys) {
    if (Array.isArray(object[key])) return object[key] as unknown[];
  }
  return [];
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function toMovie(value: unknown): Movie | undefined {
  const object = record(value);
  const id = optionalString(object.id) ?? optionalString(object.movieId);
  const title = optionalString(object.title);
  if (!id || !title) return undefined;
  const genres = Array.isArray(object.genres)
    ? object.genres.filter((genre): genre is string => typeof genre === 'string')
    : [];
  return { id, title, year: optionalNumber(object.year), genres };
}

export function toMoviePage(value: unknown): MoviePage {
  const object = record(value);
  const movies = listOf(value, ['items', 'movies', 'data'])
    .map(toMovie)
    .filter((movie): movie is Movie => movie !== undefined);
  const page = record(object.page);
  const nextCursor =
    optionalString(object.nextCursor) ??
    optionalString(page.nextCursor) ??
    optionalString(object.next);
  return { movies, nextCursor };
}

export function toMyRatings(value: unknown): MyRating[] {
  return listOf(value, ['items', 'ratings', 'data']).flatMap((entry) => {
    const object = record(entry);
    const movie = record(object.movie);
    const movieId = optionalString(object.movieId) ?? optionalString(movie.id);
    const rating = optionalNumber(object.rating);
    if (!movieId || rating === undefined) return [];
    return [
      {
        movieId,
        rating,
        title: optionalString(object.title) ?? optionalString(movie.title),
        year: optionalNumber(object.year) ?? optionalNumber(movie.year),
      },
    ];
  });
}

export function toRecommendations(value: unknown): Recommendation[] {
  return listOf(value, ['items', 'recommendations', 'data']).flatMap((entry) => {
    const object = record(entry);
    const movie = record(object.movie);
    const movieId = optionalString(object.movieId) ?? optionalString(movie.id);
    const title = optionalString(object.title) ?? optionalString(movie.title);
    if (!movieId || !title) return [];
    return [
      {
        movieId,
        title,
        score: optionalNumber(object.score),
        reason: optionalString(object.reason) ?? '',
      },
    ];
  });
}

export function toGenres(value: unknown): string[] {
  return listOf(value, ['items', 'genres', 'data']).flatMap((entry) => {
    if (typeof entry === 'string') return [entry];
    const name = optionalString(record(entry).name);
    return name ? [name] : [];
  });
}
