// The sign-in page: POST /v1/auth/login, the token into sessionStorage.
import { h, mount } from '../dom.js';
import { api, session, ApiError } from '../api.js';
import { t, toggleLanguage } from '../i18n.js';
import { askPermission } from '../notify.js';

export function renderLogin(root, { notice = '', onSignedIn }) {
  const error = h('p', { class: 'form-error', role: 'alert', id: 'login-error' }, notice);
  const login = h('input', { id: 'login', name: 'login', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { class: 'btn btn--primary btn--wide', type: 'submit' }, t('login.submit'));
  const form = h('form', {
    class: 'login-form',
    'aria-describedby': 'login-error',
    onsubmit: async (ev) => {
      ev.preventDefault();
      error.textContent = '';
      submit.disabled = true;
      // Asked here because browsers want a click behind the prompt.
      askPermission();
      try {
        const r = await api.login(login.value.trim(), password.value);
        session.set(r.token, r.user);
        onSignedIn(r.user);
      } catch (e) {
        error.textContent = e instanceof ApiError && e.status === 429 ? t('login.locked')
          : e instanceof ApiError && e.status === 401 ? t('login.failed')
          : t('error.generic', { reason: e.message });
        submit.disabled = false;
        password.select();
      }
    },
  },
  h('label', { for: 'login' }, t('login.login')), login,
  h('label', { for: 'password' }, t('login.password')), password,
  error, submit);

  mount(root, h('main', { class: 'login-page', id: 'main' },
    h('div', { class: 'login-card' },
      h('div', { class: 'login-head' },
        h('div', { class: 'brand brand--large' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '◎'), 'omnigate'),
        h('button', { class: 'btn btn--ghost', type: 'button', 'aria-label': t('lang.switch.label'), onclick: toggleLanguage }, t('lang.switch'))),
      h('h1', {}, t('login.title')),
      h('p', { class: 'muted' }, t('login.subtitle')),
      form)));
  login.focus();
}
