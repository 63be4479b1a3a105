// The live dashboard (GET /v1/stats every 10 s): queue length, longest wait,
// agents online, first-response time, messages per minute per channel, and
// the queue's trend since the page opened.
import { h, mount } from '../dom.js';
import { api } from '../api.js';
import { t, language } from '../i18n.js';
import { duration, channelType } from '../format.js';
import { sparkline, bars, stat } from '../charts.js';

const EVERY_MS = 10_000;
const KEEP = 60; // points of queue history (10 minutes)

/** The numbers the page shows, from GET /v1/stats (gateway/http/queue_routes.cpp). Exported for tests. */
export function readStats(s) {
  const num = (v) => (v === undefined || v === null || !Number.isFinite(Number(v)) ? null : Number(v));
  return {
    queue: num(s.queue?.length),
    longestWaitS: num(s.queue?.longest_wait_s),
    agentsOnline: num(s.agents_online),
    firstResponseS: num(s.first_response?.average_s),
    perChannel: Object.entries(s.messages_per_minute || {})
      .map(([k, v]) => ({ type: channelType(k), value: Math.round((Number(v) || 0) * 10) / 10 })),
  };
}

export class DashboardPage {
  constructor(main, state) {
    this.main = main;
    this.state = state;
    this.history = [];
    main.className = 'page page--dashboard';
    this.body = h('div', { class: 'dash-body' }, h('p', { class: 'muted' }, t('admin.loading')));
    this.updated = h('p', { class: 'muted', role: 'status' });
    mount(main, h('div', { class: 'dash' }, h('h1', {}, t('dash.title')), this.updated, this.body));
    this.refresh();
    this.timer = setInterval(() => this.refresh(), EVERY_MS);
    // queue.updated frames move the queue tiles between two polls.
    this.onQueue = () => {
      if (this.state.queueLength === null || !this.last) return;
      this.last.queue = this.state.queueLength;
      if (this.state.queueLongestWaitS !== null) this.last.longestWaitS = this.state.queueLongestWaitS;
      this.render();
    };
    state.addEventListener('queue', this.onQueue);
  }

  async refresh() {
    try {
      this.last = readStats(await api.get('/v1/stats'));
    } catch (e) {
      mount(this.body, h('p', { class: 'form-error' }, t('error.generic', { reason: e.message })));
      return;
    }
    if (this.last.queue !== null) this.history = [...this.history, this.last.queue].slice(-KEEP);
    this.updated.textContent = t('dash.updated', { time: new Date().toLocaleTimeString(language()) });
    this.render();
  }

  render() {
    const s = this.last;
    const none = t('dash.none');
    const fmtS = (v) => (v === null ? none : duration(v * 1000, t));
    mount(this.body,
      h('div', { class: 'stats' },
        stat(t('dash.queue'), s.queue ?? none, this.history.length > 1 ? sparkline(this.history, { width: 180, height: 36, label: t('dash.trend') }) : null),
        stat(t('dash.longestWait'), fmtS(s.longestWaitS)),
        stat(t('dash.agentsOnline'), s.agentsOnline ?? none),
        stat(t('dash.firstResponse'), fmtS(s.firstResponseS))),
      h('section', { class: 'card' },
        h('h2', {}, t('dash.perChannel')),
        s.perChannel.length
          ? bars(s.perChannel.map((r) => ({ label: t(`channel.${r.type}`), value: r.value, cls: `bar--${r.type}` })), { width: 520, label: t('dash.perChannel') })
          : h('p', { class: 'muted' }, none)),
      h('section', { class: 'card' },
        h('h2', {}, t('dash.trend')),
        sparkline(this.history.length ? this.history : [0], { width: 520, height: 80, label: t('dash.trend') })));
  }

  destroy() {
    clearInterval(this.timer);
    this.state.removeEventListener('queue', this.onQueue);
  }
}
