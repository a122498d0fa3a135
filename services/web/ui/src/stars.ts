import { ApiError } from './api';
import { h } from './dom';
import { announce } from './notice';
import type { Session } from './state';

export interface Rateable {
  id: string;
  title: string;
  year?: number;
}

/**
 * Five buttons (1–5) and a "Remove" button for one movie. Each button says what it does
 * ("Rate The Matrix 4 out of 5") and shows whether it is the current rating (aria-pressed).
 */
export function starRating(
  session: Session,
  movie: Rateable,
  onError: (message: string) => void,
): HTMLElement {
  const group = h('div', {
    class: 'stars',
    role: 'group',
    'aria-label': `Your rating for ${movie.title}`,
  });
  const render = () => {
    const current = session.ratings.get(movie.id)?.rating ?? 0;
    const buttons: HTMLElement[] = [];
    for (let value = 1; value <= 5; value += 1) {
      buttons.push(
        h(
          'button',
          {
            type: 'button',
            class: value <= current ? 'star star-on' : 'star',
            'aria-pressed': value === current ? 'true' : 'false',
            'aria-label': `Rate ${movie.title} ${value} out of 5`,
            'data-value': value,
            title: `${value} out of 5`,
            onclick: () => void change(value),
          },
          value <= current ? '★' : '☆',
        ),
      );
    }
    group.replaceChildren(
      ...buttons,
      current > 0
        ? h(
            'button',
            {
              type: 'button',
              class: 'link-button',
              'aria-label': `Remove your rating of ${movie.title}`,
              onclick: () => void change(0),
            },
            'Remove',
          )
        : h('span', { class: 'hint' }, 'Not rated'),
    );
  };
  const change = async (value: number) => {
    const hadFocus = group.contains(document.activeElement);
    group.setAttribute('aria-busy', 'true');
    try {
      if (value === 0) await session.unrate(movie.id);
      else await session.rate(movie, value);
      announce(
        value === 0
          ? `Removed your rating of ${movie.title}.`
          : `Rated ${movie.title} ${value} out of 5.`,
      );
    } catch (error) {
      onError(
        error instanceof ApiError ? error.message : 'Saving the rating failed. Please try again.',
      );
    } finally {
      group.removeAttribute('aria-busy');
      render();
      // Re-rendering replaced the buttons: keep keyboard users where they were.
      if (hadFocus)
        group.querySelector<HTMLElement>(`[data-value="${value === 0 ? 1 : value}"]`)?.focus();
    }
  };
  render();
  return group;
}
