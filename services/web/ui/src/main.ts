import { api, ApiError, SESSION_EXPIRED } from './api';
import { authView } from './auth-view';
import { browseView } from './browse-view';
import { h } from './dom';
import { errorNotice, loading } from './notice';
import { ratingsView } from './ratings-view';
import { recommendationsView } from './recommendations-view';
import { Session, type User } from './state';

const ROUTES = {
  '#/browse': { label: 'Browse', view: (session: Session) => browseView(session) },
  '#/ratings': { label: 'My ratings', view: (session: Session) => ratingsView(session) },
  '#/recommendations': { label: 'For you', view: () => recommendationsView() },
} as const;
type Route = keyof typeof ROUTES;

function currentRoute(): Route {
  return location.hash in ROUTES ? (location.hash as Route) : '#/browse';
}

const session = new Session();
const main = document.getElementById('main') as HTMLElement;
const accountArea = document.getElementById('account') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;

function renderHeader(): void {
  if (!session.user) {
    nav.replaceChildren();
    accountArea.replaceChildren();
    return;
  }
  const route = currentRoute();
  nav.replaceChildren(
    ...Object.entries(ROUTES).map(([hash, { label }]) =>
      h('a', { href: hash, 'aria-current': hash === route ? 'page' : null }, label),
    ),
  );
  accountArea.replaceChildren(
    h('span', { class: 'who' }, 'Logged in as ', h('strong', {}, session.user.username)),
    h(
      'button',
      { type: 'button', class: 'button-secondary', onclick: () => void logOut() },
      'Log out',
    ),
  );
}

function show(view: HTMLElement): void {
  main.replaceChildren(view);
  // Move focus to the new view's heading so keyboard and screen reader users land on it.
  const heading = view.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

function render(): void {
  renderHeader();
  if (!session.user) {
    show(authView((user) => void loggedIn(user)));
    return;
  }
  show(ROUTES[currentRoute()].view(session));
}

async function loggedIn(user: User): Promise<void> {
  session.user = user;
  try {
    await session.loadRatings();
  } catch {
    // The views show their own errors; stars just start empty.
  }
  if (!(location.hash in ROUTES)) history.replaceState(null, '', '#/browse');
  render();
}

async function logOut(): Promise<void> {
  try {
    await api('account', 'POST', '/auth/logout');
  } catch (error) {
    main.prepend(errorNotice(error instanceof ApiError ? error.message : 'Logging out failed.'));
    return;
  }
  session.user = null;
  session.ratings.clear();
  render();
}

async function start(): Promise<void> {
  main.replaceChildren(loading('Loading…'));
  try {
    const me = await api<User>('account', 'GET', '/auth/me');
    await loggedIn(me);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      render();
      return;
    }
    main.replaceChildren(
      errorNotice(
        error instanceof ApiError ? error.message : 'The app could not start.',
        () => void start(),
      ),
    );
  }
}

window.addEventListener(SESSION_EXPIRED, () => {
  if (!session.user) return;
  session.user = null;
  session.ratings.clear();
  render();
  main.prepend(errorNotice('Your session has ended. Please log in again.'));
});

window.addEventListener('hashchange', () => {
  if (session.user) render();
});
void start();
