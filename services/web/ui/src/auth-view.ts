import { api, ApiError } from './api';
import { h, nextId } from './dom';
import { errorNotice } from './notice';
import type { User } from './state';

interface Field {
  name: 'username' | 'password';
  label: string;
  autocomplete: string;
  hint?: string;
}

function credentialsForm(options: {
  title: string;
  submitLabel: string;
  busyLabel: string;
  fields: Field[];
  submit: (username: string, password: string) => Promise<string | null>;
}): HTMLElement {
  const headingId = nextId('form-title');
  const status = h('div', { class: 'form-status' });
  const inputs = new Map<string, HTMLInputElement>();
  const rows = options.fields.map((field) => {
    const id = nextId(field.name);
    const hintId = field.hint ? `${id}-hint` : undefined;
    const input = h('input', {
      id,
      name: field.name,
      type: field.name === 'password' ? 'password' : 'text',
      autocomplete: field.autocomplete,
      autocapitalize: 'none',
      spellcheck: 'false',
      required: true,
      'aria-describedby': hintId,
    });
    inputs.set(field.name, input);
    return h(
      'div',
      { class: 'field' },
      h('label', { for: id }, field.label),
      input,
      field.hint ? h('p', { class: 'hint', id: hintId }, field.hint) : null,
    );
  });
  const button = h('button', { type: 'submit', class: 'button-primary' }, options.submitLabel);
  const form = h(
    'form',
    { class: 'card auth-form', 'aria-labelledby': headingId, novalidate: true },
    h('h2', { id: headingId }, options.title),
    ...rows,
    button,
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const username = inputs.get('username')?.value.trim() ?? '';
    const password = inputs.get('password')?.value ?? '';
    if (username === '' || password === '') {
      status.replaceChildren(errorNotice('Please enter a username and a password.'));
      (username === '' ? inputs.get('username') : inputs.get('password'))?.focus();
      return;
    }
    button.disabled = true;
    button.textContent = options.busyLabel;
    form.setAttribute('aria-busy', 'true');
    status.replaceChildren();
    options
      .submit(username, password)
      .then((success) => {
        if (success)
          status.replaceChildren(h('p', { class: 'notice notice-ok', role: 'status' }, success));
      })
      .catch((error: unknown) => {
        status.replaceChildren(
          errorNotice(
            error instanceof ApiError ? error.message : 'Something went wrong. Please try again.',
          ),
        );
      })
      .finally(() => {
        button.disabled = false;
        button.textContent = options.submitLabel;
        form.removeAttribute('aria-busy');
      });
  });
  return form;
}

export async function logIn(username: string, password: string): Promise<User> {
  const answer = await api<{ user: User }>('account', 'POST', '/auth/login', {
    username,
    password,
  });
  return answer.user;
}

/** Log-in and create-account forms side by side (stacked on a phone). */
export function authView(onLoggedIn: (user: User) => void): HTMLElement {
  const login = credentialsForm({
    title: 'Log in',
    submitLabel: 'Log in',
    busyLabel: 'Logging in…',
    fields: [
      { name: 'username', label: 'Username', autocomplete: 'username' },
      { name: 'password', label: 'Password', autocomplete: 'current-password' },
    ],
    async submit(username, password) {
      onLoggedIn(await logIn(username, password));
      return null;
    },
  });
  const register = credentialsForm({
    title: 'Create an account',
    submitLabel: 'Create account',
    busyLabel: 'Creating account…',
    fields: [
      {
        name: 'username',
        label: 'Username',
        autocomplete: 'username',
        hint: '3–32 lowercase letters, digits, dots, dashes or underscores.',
      },
      {
        name: 'password',
        label: 'Password',
        autocomplete: 'new-password',
        hint: '8–128 characters.',
      },
    ],
    async submit(username, password) {
      await api('account', 'POST', '/auth/register', { username, password });
      onLoggedIn(await logIn(username, password));
      return null;
    },
  });
  return h(
    'section',
    { class: 'auth', 'aria-label': 'Account' },
    h(
      'div',
      { class: 'intro' },
      h('h1', {}, 'Rate movies, get recommendations'),
      h(
        'p',
        {},
        'Log in or create an account to rate movies from 1 to 5 stars. The more you rate, the better your recommendations.',
      ),
    ),
    h('div', { class: 'auth-forms' }, login, register),
  );
}
