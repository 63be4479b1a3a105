// The admin console: a section menu and the section (channels, agents,
// teams, routing rules, canned responses). Sections whose API this gateway
// does not serve are left out of the menu.
import { h, mount } from '../../dom.js';
import { t } from '../../i18n.js';
import * as features from '../../features.js';
import { ChannelsSection } from './channels.js';
import { AgentsSection } from './agents.js';
import { TeamsSection } from './teams.js';
import { RoutingSection } from './routing.js';
import { CannedSection } from './canned.js';

const SECTIONS = [
  ['channels', 'nav.channels', ['GET', '/v1/admin/channels'], (el) => new ChannelsSection(el)],
  ['agents', 'nav.agents', ['GET', '/v1/admin/users'], (el) => new AgentsSection(el)],
  ['teams', 'nav.teams', ['GET', '/v1/admin/teams'], (el) => new TeamsSection(el)],
  ['routing', 'nav.routing', ['GET', '/v1/admin/routing-rules'], (el) => new RoutingSection(el)],
  ['canned', 'nav.canned', ['GET', '/v1/canned'], (el, state) => new CannedSection(el, state)],
];

export class AdminPage {
  constructor(main, state, rest) {
    this.main = main;
    this.state = state;
    main.className = 'page page--admin';
    if (state.me.role !== 'admin') {
      mount(main, h('p', { class: 'form-error' }, t('admin.notAllowed')));
      return;
    }
    this.available = SECTIONS.filter(([, , [method, path]]) => features.has(method, path));
    this.menu = h('nav', { class: 'admin-menu', 'aria-label': t('admin.title') },
      h('ul', {}, this.available.map(([key, label]) => h('li', {}, h('a', { href: `#/admin/${key}`, dataset: { section: key } }, t(label))))));
    this.body = h('div', { class: 'admin-body' });
    mount(main, h('div', { class: 'admin' }, this.menu, this.body));
    this.update(rest);
  }

  update(rest) {
    if (!this.menu) return;
    const [key = 'channels', ...sub] = rest;
    const found = this.available.find(([k]) => k === key) || this.available[0];
    if (!found) { mount(this.body, h('p', { class: 'muted' }, t('admin.unavailable'))); return; }
    for (const a of this.menu.querySelectorAll('a')) {
      if (a.dataset.section === found[0]) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    if (this.key !== found[0]) {
      this.key = found[0];
      this.section = found[3](this.body, this.state);
    }
    this.section.show(sub);
  }
}
