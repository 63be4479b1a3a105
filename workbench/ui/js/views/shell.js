// The frame around every page: the top bar (navigation, connection state,
// presence, notifications, language, sign out) and the hash router that
// picks the page below it.
import { h, mount, toast } from '../dom.js';
import { api } from '../api.js';
import { t, toggleLanguage } from '../i18n.js';
import * as features from '../features.js';
import { icon } from '../icons.js';
import { askPermission, notificationsAllowed, notificationsSupported, alertAgent } from '../notify.js';
import { InboxPage } from './inbox_page.js';
import { DashboardPage } from './dashboard.js';
import { AdminPage } from './admin/admin_page.js';

export class Shell {
  constructor(root, state, { onSignOut }) {
    this.root = root;
    this.state = state;
    this.onSignOut = onSignOut;
    this.page = null;
    this.route = '';
    this.state.addEventListener('connection', () => {
      this.renderConnection();
      // The first socket sets the agent online (unless they chose away or
      // offline), on the gateway's presence thread: look a moment later.
      if (this.state.connection === 'open') setTimeout(() => this.refreshPresence(), 1500);
    });
    this.state.addEventListener('assigned', (e) => this.onAssigned(e.detail));
    this.state.addEventListener('error', (e) => toast(t('error.generic', { reason: e.detail?.message || '' }), 'error'));
    window.addEventListener('hashchange', () => this.go());
  }

  render() {
    this.connectionEl = h('span', { class: 'conn', role: 'status', 'aria-live': 'polite' });
    this.main = h('main', { id: 'main', class: 'page', tabindex: '-1' });
    mount(this.root,
      h('a', { class: 'skip-link', href: '#main', onclick: (e) => { e.preventDefault(); this.main.focus(); } }, t('app.skip')),
      h('header', { class: 'topbar' },
        h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '◎'), 'omnigate'),
        this.nav(),
        h('div', { class: 'topbar-right' },
          this.connectionEl,
          this.presenceControl(),
          this.notificationsControl(),
          h('button', { class: 'btn btn--ghost', type: 'button', 'aria-label': t('lang.switch.label'), onclick: toggleLanguage }, t('lang.switch')),
          h('span', { class: 'me', title: this.state.me.login || '' }, this.state.me.name || this.state.me.login || ''),
          h('button', { class: 'btn btn--ghost', type: 'button', onclick: () => this.signOut() }, t('nav.logout')))),
      this.main,
      h('div', { id: 'toasts', class: 'toasts', 'aria-live': 'polite' }));
    this.renderConnection();
    this.route = '';
    this.go();
  }

  nav() {
    const link = (href, key) => h('a', { href, class: 'nav-link', dataset: { route: href.split('/')[1] } }, t(key));
    return h('nav', { class: 'nav', 'aria-label': t('nav.main') },
      link('#/inbox', 'nav.inbox'),
      features.has('GET', '/v1/stats') ? link('#/dashboard', 'nav.dashboard') : null,
      this.state.me.role === 'admin' ? link('#/admin/channels', 'nav.admin') : null);
  }

  presenceControl() {
    if (!features.has('PUT', '/v1/me/presence')) return null;
    const select = h('select', {
      class: 'presence',
      'aria-label': t('presence.label'),
      onchange: async () => {
        select.dataset.status = select.value;
        try {
          const r = await api.put('/v1/me/presence', { status: select.value });
          this.state.me.presence = r?.presence || select.value;
        } catch (e) {
          toast(t('action.failed', { reason: e.message }), 'error');
          select.value = this.state.me.presence || 'online';
        }
      },
    }, ['online', 'away', 'offline'].map((s) => h('option', { value: s, selected: (this.state.me.presence || 'online') === s }, t(`presence.${s}`))));
    select.dataset.status = this.state.me.presence || 'online';
    this.presenceEl = select;
    return select;
  }

  async refreshPresence() {
    if (!this.presenceEl || !features.has('GET', '/v1/me')) return;
    try {
      const me = await api.get('/v1/me');
      this.state.me.presence = me.presence;
      this.presenceEl.value = me.presence;
      this.presenceEl.dataset.status = me.presence;
    } catch { /* shown again on the next connect */ }
  }

  notificationsControl() {
    if (!notificationsSupported()) return null;
    const btn = h('button', {
      class: 'btn btn--ghost btn--icon',
      type: 'button',
      'aria-pressed': String(notificationsAllowed()),
      'aria-label': notificationsAllowed() ? t('nav.notifications.on') : t('nav.notifications'),
      title: notificationsAllowed() ? t('nav.notifications.on') : t('nav.notifications'),
      onclick: async () => {
        const ok = await askPermission();
        btn.setAttribute('aria-pressed', String(ok));
        btn.setAttribute('aria-label', ok ? t('nav.notifications.on') : t('nav.notifications'));
        btn.title = btn.getAttribute('aria-label');
      },
    }, icon('bell'));
    return btn;
  }

  renderConnection() {
    if (!this.connectionEl) return;
    const s = this.state.connection;
    this.connectionEl.dataset.state = s;
    this.connectionEl.textContent = s === 'open' ? t('conn.online') : s === 'connecting' ? t('conn.connecting') : t('conn.offline');
  }

  onAssigned({ id, kind }) {
    const v = this.state.view(id);
    const last = this.state.lastMessage.get(id);
    const who = v.contactName || t('inbox.conversation', { id });
    const text = last ? (last.parts || []).filter((p) => p.type === 'text').map((p) => p.text).join(' ') : '';
    alertAgent(kind === 'offered' ? t('notify.offered') : t('notify.assigned'), t('notify.body', { who, text }),
      () => { location.hash = `#/inbox/${id}`; });
  }

  async signOut() {
    try { await api.post('/v1/auth/logout'); } catch { /* the token may already be gone */ }
    this.onSignOut();
  }

  // #/inbox[/id] · #/dashboard · #/admin/<section>[/…]
  go() {
    const hash = location.hash || '#/inbox';
    const [, section = 'inbox', ...rest] = hash.slice(1).split('/');
    for (const a of this.root.querySelectorAll('.nav-link')) {
      if (a.dataset.route === section) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    if (section === this.route && this.page?.update) {
      this.page.update(rest);
      return;
    }
    this.page?.destroy?.();
    this.route = section;
    if (section === 'admin') this.page = new AdminPage(this.main, this.state, rest);
    else if (section === 'dashboard' && features.has('GET', '/v1/stats')) this.page = new DashboardPage(this.main, this.state);
    else this.page = new InboxPage(this.main, this.state, section === 'inbox' ? rest : []);
  }
}
