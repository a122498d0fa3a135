/** Movie ids are slugs (`the-matrix-1999`). */
export const MOVIE_ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
