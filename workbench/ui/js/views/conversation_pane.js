// The middle pane: the conversation's header (customer, channel, status,
// assignee, actions), its full history in seq order, what the customer is
// typing, and the reply box.
import { h, mount } from '../dom.js';
import { t } from '../i18n.js';
import { messageView } from './message_view.js';
import { actionsBar } from './conversation_actions.js';
import { Composer } from './composer.js';
import { channelBadge, statusChip } from './badges.js';

export class ConversationPane {
  constructor(el, state) {
    this.el = el;
    this.state = state;
    this.id = null;
    this.frame = 0;
  }

  show(id) {
    this.id = id;
    this.composer = new Composer(this.state, id);
    this.headerEl = h('div', { class: 'conv-header' });
    this.typingEl = h('div', { class: 'typing', 'aria-live': 'polite' });
    this.listEl = h('ol', { class: 'messages', role: 'log', 'aria-label': t('conv.history'), 'aria-live': 'polite', tabindex: '0' });
    mount(this.el, this.headerEl, this.listEl, this.typingEl, this.composer.el);
    this.renderHeader();
    mount(this.listEl, h('li', { class: 'muted empty' }, t('conv.loading')));
  }

  empty() {
    this.id = null;
    mount(this.el, h('div', { class: 'placeholder' }, h('p', { class: 'muted' }, t('conv.pick'))));
  }

  notFound() {
    mount(this.el, h('div', { class: 'placeholder' }, h('p', { class: 'muted' }, t('conv.notFound'))));
  }

  renderHeader() {
    if (!this.id) return;
    const v = this.state.view(this.id);
    const assignee = v.assigneeId === null ? '' : this.state.agentName(v.assigneeId);
    const team = v.teamId === null ? '' : this.state.teamName(v.teamId);
    mount(this.headerEl,
      h('div', { class: 'conv-title' },
        channelBadge(v.channelType),
        h('h2', { class: 'conv-heading' }, v.contactName || t('inbox.conversation', { id: this.id })),
        v.vip ? h('span', { class: 'mark mark--vip' }, t('inbox.vip')) : null,
        statusChip(v.status)),
      h('div', { class: 'conv-sub muted' },
        v.channelName ? h('span', {}, v.channelName) : null,
        h('span', {}, assignee ? t('conv.assignee', { name: assignee }) : t('conv.unassigned')),
        team ? h('span', {}, t('conv.team', { name: team })) : null,
        v.tags.length ? h('span', { class: 'tags' }, v.tags.map((tag) => h('span', { class: 'tag' }, tag))) : null),
      actionsBar(this.state, this.id));
  }

  /** Coalesces bursts of events into one render per frame. */
  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.renderMessages(); });
  }

  renderMessages() {
    if (!this.id) return;
    const tl = this.state.timeline(this.id);
    const atBottom = this.listEl.scrollHeight - this.listEl.scrollTop - this.listEl.clientHeight < 48;
    const ctx = {
      me: this.state.me,
      visitorRead: this.state.visitorRead.get(this.id) || 0,
      onRetryDelivery: this.state.canRetryDelivery() ? (m) => this.state.retryDelivery(this.id, m) : null,
      onRetryLocal: (m) => this.state.retryLocal(this.id, m.client_msg_id),
    };
    const items = tl.items();
    mount(this.listEl, items.length ? items.map((m) => messageView(m, ctx)) : h('li', { class: 'muted empty' }, t('inbox.noPreview')));
    if (atBottom || this.firstRender !== this.id) {
      this.listEl.scrollTop = this.listEl.scrollHeight;
      this.firstRender = this.id;
    }
  }

  renderTyping() {
    if (!this.id || !this.typingEl) return;
    const typing = this.state.typing.get(this.id);
    const on = typing && typing.until > Date.now();
    this.typingEl.textContent = on ? t('conv.typing', { who: typing.who || t('conv.customer') }) : '';
    // A visitor who stops without sending "off" stops showing after a while.
    clearTimeout(this.typingTimer);
    if (on) this.typingTimer = setTimeout(() => this.renderTyping(), typing.until - Date.now() + 50);
  }
}
