import { h } from './dom';

/** A readable error box (role=alert so screen readers announce it) with an optional retry. */
export function errorNotice(message: string, retry?: () => void): HTMLElement {
  return h(
    'div',
    { class: 'notice notice-error', role: 'alert' },
    h('p', {}, message),
    retry
      ? h('button', { type: 'button', class: 'button-secondary', onclick: retry }, 'Try again')
      : null,
  );
}

export function loading(text: string): HTMLElement {
  return h(
    'p',
    { class: 'loading', role: 'status' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    text,
  );
}

export function empty(text: string): HTMLElement {
  return h('p', { class: 'empty' }, text);
}

/** Shows a short confirmation in the shared live region. */
export function announce(text: string): void {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  window.setTimeout(() => {
    region.textContent = text;
  }, 50);
}
