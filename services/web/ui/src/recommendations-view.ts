import { api, ApiError, query } from './api';
import { h } from './dom';
import { toRecommendations } from './models';
import { empty, errorNotice, loading } from './notice';

/** Recommendations with the reason for each; a failure is a message with a retry, not a dead page. */
export function recommendationsView(): HTMLElement {
  const status = h('div', { class: 'status' });
  const list = h('ol', { class: 'recommendation-list', 'aria-label': 'Recommended movies' });
  const refresh = h('button', { type: 'button', class: 'button-secondary' }, 'Refresh');

  const load = async () => {
    list.setAttribute('aria-busy', 'true');
    refresh.disabled = true;
    status.replaceChildren(loading('Loading recommendations…'));
    try {
      const recommendations = toRecommendations(
        await api<unknown>('recommendations', 'GET', `/recommendations${query({ limit: 10 })}`),
      );
      list.replaceChildren(
        ...recommendations.map((item) =>
          h(
            'li',
            { class: 'card recommendation' },
            h('h3', { class: 'movie-title' }, item.title),
            item.reason ? h('p', { class: 'reason' }, item.reason) : null,
          ),
        ),
      );
      status.replaceChildren(
        recommendations.length === 0
          ? empty('No recommendations yet. Rate a few movies you like and come back.')
          : '',
      );
    } catch (error) {
      list.replaceChildren();
      status.replaceChildren(
        errorNotice(
          error instanceof ApiError ? error.message : 'Loading recommendations failed.',
          () => void load(),
        ),
      );
    } finally {
      list.removeAttribute('aria-busy');
      refresh.disabled = false;
    }
  };
  refresh.addEventListener('click', () => void load());
  void load();
  return h(
    'section',
    { class: 'view', 'aria-labelledby': 'recommendations-title' },
    h(
      'div',
      { class: 'view-header' },
      h('h1', { id: 'recommendations-title' }, 'Recommended for you'),
      refresh,
    ),
    status,
    list,
  );
}
