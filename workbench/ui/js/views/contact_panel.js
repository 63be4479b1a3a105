// The right pane: who the customer is (identities on every channel,
// attributes such as VIP tier or region, tags) and their other conversations,
// from GET /v1/contacts/{id} (gateway/http/contact_routes.cpp).
import { h, mount } from '../dom.js';
import { api } from '../api.js';
import { t, language } from '../i18n.js';
import * as features from '../features.js';
import { clock, conversationView, isVip } from '../format.js';
import { channelBadge, statusChip } from './badges.js';

export class ContactPanel {
  constructor(el, state) {
    this.el = el;
    this.state = state;
    this.contactId = null;
    this.seq = 0;
  }

  async show(conversationId) {
    const v = this.state.view(conversationId);
    const mySeq = ++this.seq;
    if (!v.contactId) {
      mount(this.el, this.header(), h('p', { class: 'muted' }, t('contact.unavailable')));
      return;
    }
    this.contactId = v.contactId;
    mount(this.el, this.header(), h('p', { class: 'muted' }, t('inbox.loading')));
    const contact = features.has('GET', '/v1/contacts/{id}') ? await api.get(`/v1/contacts/${v.contactId}`).catch(() => null) : null;
    if (mySeq !== this.seq) return;
    this.render(v, contact, (contact?.conversations || []).map((c) => conversationView(c, this.state.channels))
      .filter((c) => c.id !== conversationId));
  }

  header() {
    return h('h2', { class: 'pane-title' }, t('contact.title'));
  }

  render(v, contact, previous) {
    const name = contact?.name || v.contactName || t('inbox.contact', { id: v.contactId });
    const identities = contact?.identities || [];
    const attributes = contact?.attributes && typeof contact.attributes === 'object' ? Object.entries(contact.attributes) : [];
    const tags = contact?.tags || [];
    mount(this.el,
      this.header(),
      h('div', { class: 'contact-card' },
        h('div', { class: 'avatar', 'aria-hidden': 'true' }, [...name][0] || '?'),
        h('div', {}, h('div', { class: 'contact-name' }, name), v.vip || isVip(contact?.attributes) ? h('span', { class: 'mark mark--vip' }, t('inbox.vip')) : null)),
      section(t('contact.identities'), identities.length
        ? h('ul', { class: 'kv' }, identities.map((i) => h('li', { title: i.channel_name || '' }, channelBadge(i.channel_type), ' ', h('span', { class: 'mono' }, i.external_id || ''))))
        : null),
      section(t('contact.attributes'), attributes.length
        ? h('dl', { class: 'kv' }, attributes.flatMap(([k, val]) => [h('dt', {}, k), h('dd', {}, typeof val === 'object' ? JSON.stringify(val) : String(val))]))
        : null),
      section(t('contact.tags'), tags.length ? h('div', { class: 'tags' }, tags.map((tag) => h('span', { class: 'tag' }, tag))) : null),
      section(t('contact.previous'), previous.length
        ? h('ul', { class: 'previous' }, previous.map((c) => h('li', {},
          h('a', { href: `#/inbox/${c.id}` }, channelBadge(c.channelType), ' ', t('inbox.conversation', { id: c.id })),
          ' ', statusChip(c.status), h('span', { class: 'muted' }, ` ${clock(c.lastMessageAt, language())}`))))
        : null));
  }
}

function section(title, content) {
  return h('section', { class: 'contact-section' },
    h('h3', {}, title),
    content || h('p', { class: 'muted' }, t('contact.none')));
}
