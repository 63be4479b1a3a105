// The left pane: every channel in one list. View tabs (mine / team / queued
// / all), filters (status, channel, tag, search), and per conversation the
// channel badge, name, preview, time, waiting time, unread count, priority
// and VIP marks. Arrow keys move through the list.
import { h, mount } from '../dom.js';
import { t, language } from '../i18n.js';
import { CHANNEL_TYPES, clock, duration, waitingSince, previewOf } from '../format.js';
import { channelBadge, statusChip } from './badges.js';

const VIEWS = ['mine', 'team', 'queued', 'all'];
const STATUSES = ['queued', 'assigned', 'snoozed', 'resolved', 'bot'];

// Urgent conversations (priority > 0) get "!" or "!!" (2 and up), with the
// number spelled out for screen readers and on hover.
function priorityMark(priority) {
  if (!(priority > 0)) return null;
  const label = t('inbox.priority', { n: priority });
  return h('span', { class: `mark mark--priority mark--p${Math.min(2, priority)}`, title: label, dataset: { priority } },
    h('span', { 'aria-hidden': 'true' }, '!'.repeat(Math.min(2, priority))),
    h('span', { class: 'sr-only' }, label));
}

export class InboxList {
  constructor(el, state) {
    this.el = el;
    this.state = state;
    this.frame = 0;
    this.build();
  }

  build() {
    const f = this.state.filters;
    this.tabs = h('div', { class: 'views', role: 'group', 'aria-label': t('inbox.views') },
      VIEWS.map((v) => h('button', {
        type: 'button', class: 'view-tab', dataset: { view: v }, 'aria-pressed': String(f.view === v),
        onclick: () => this.setFilter({ view: v }),
      }, t(`inbox.view.${v}`))));
    this.search = h('input', {
      type: 'search', class: 'search', placeholder: t('inbox.search'), 'aria-label': t('inbox.search'), value: f.q,
      oninput: () => { clearTimeout(this.searchTimer); this.searchTimer = setTimeout(() => this.setFilter({ q: this.search.value.trim() }), 300); },
    });
    const select = (key, label, anyLabel, options) => h('select', {
      class: 'select--small', 'aria-label': label, dataset: { filter: key },
      onchange: (e) => this.setFilter({ [key]: e.target.value }),
    }, h('option', { value: '' }, anyLabel),
    options.map(([value, text]) => h('option', { value, selected: f[key] === value }, text)));
    this.tagInput = h('input', {
      class: 'tag-filter', placeholder: t('inbox.filter.tag'), 'aria-label': t('inbox.filter.tag'), value: f.tag,
      onchange: () => this.setFilter({ tag: this.tagInput.value.trim() }),
    });
    this.queueChip = h('span', { class: 'queue-chip', role: 'status' });
    this.listEl = h('ul', { class: 'conv-list', 'aria-label': t('inbox.title'), onkeydown: (e) => this.onKeyDown(e) });
    this.moreBtn = h('button', { class: 'btn btn--small btn--wide', type: 'button', hidden: true, onclick: () => this.state.loadMore() }, t('inbox.more'));
    mount(this.el,
      h('div', { class: 'pane-head' }, h('h2', { class: 'pane-title' }, t('inbox.title')), this.queueChip),
      this.tabs,
      h('div', { class: 'filters' },
        this.search,
        h('div', { class: 'filter-row' },
          select('status', t('inbox.filter.status'), t('inbox.filter.anyStatus'), STATUSES.map((s) => [s, t(`status.${s}`)])),
          select('channel', t('inbox.filter.channel'), t('inbox.filter.anyChannel'), CHANNEL_TYPES.map((c) => [c, t(`channel.${c}`)])),
          this.tagInput)),
      this.listEl,
      this.moreBtn);
    this.render();
  }

  setFilter(patch) {
    if (patch.view) for (const b of this.tabs.children) b.setAttribute('aria-pressed', String(b.dataset.view === patch.view));
    this.state.setFilters(patch);
  }

  /** Coalesces bursts of events into one render per frame. */
  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  render() {
    const s = this.state;
    const ids = s.listed();
    const focusedId = document.activeElement?.closest?.('.conv-item')?.dataset.id;
    this.queueChip.textContent = s.queueLength === null ? '' : `${t('dash.queue')}: ${s.queueLength}`;
    this.listEl.setAttribute('aria-busy', String(s.loading));
    if (!ids.length) {
      mount(this.listEl, h('li', { class: 'empty muted' }, s.loading ? t('inbox.loading') : t('inbox.empty')));
    } else {
      mount(this.listEl, ids.map((id) => this.item(id)));
    }
    this.moreBtn.hidden = !s.next;
    if (focusedId) this.listEl.querySelector(`.conv-item[data-id="${focusedId}"]`)?.focus();
  }

  item(id) {
    const s = this.state;
    const v = s.view(id);
    const last = s.lastMessage.get(id);
    const unread = s.unread(id);
    const since = waitingSince(v, last);
    const name = v.contactName || t('inbox.contact', { id: v.contactId ?? '?' });
    const preview = previewOf(last) || v.preview || t('inbox.noPreview');
    const selected = s.selected === id;
    return h('li', {},
      h('a', {
        href: `#/inbox/${id}`,
        class: `conv-item${selected ? ' is-selected' : ''}${unread ? ' has-unread' : ''}`,
        dataset: { id, channel: v.channelType, status: v.status },
        'aria-current': selected ? 'true' : null,
      },
      h('div', { class: 'conv-top' },
        channelBadge(v.channelType),
        h('span', { class: 'conv-name' }, name),
        v.vip ? h('span', { class: 'mark mark--vip', title: t('inbox.vipTitle') }, t('inbox.vip')) : null,
        priorityMark(v.priority),
        h('time', { class: 'conv-time', datetime: v.lastMessageAt }, v.lastMessageAt ? clock(v.lastMessageAt, language()) : '')),
      h('div', { class: 'conv-preview' }, preview),
      h('div', { class: 'conv-bottom' },
        statusChip(v.status),
        s.offers.has(id) ? h('span', { class: 'chip chip--offer' }, t('inbox.offer')) : null,
        v.slaBreached ? h('span', { class: 'mark mark--sla' }, t('inbox.sla')) : null,
        since ? h('span', { class: 'waiting', dataset: { since } }, t('inbox.waiting', { d: duration(Date.now() - new Date(since).getTime(), t) })) : null,
        v.tags.slice(0, 3).map((tag) => h('span', { class: 'tag' }, tag)),
        // The server counts up to 100: past 99 the badge says so.
        unread ? h('span', { class: 'unread', 'aria-label': t('inbox.unread', { n: unread > 99 ? '99+' : unread }) }, unread > 99 ? '99+' : String(unread)) : null)));
  }

  onKeyDown(e) {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const items = [...this.listEl.querySelectorAll('.conv-item')];
    const at = items.indexOf(document.activeElement);
    const next = items[Math.max(0, Math.min(items.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)))];
    if (next) { e.preventDefault(); next.focus(); }
  }
}
