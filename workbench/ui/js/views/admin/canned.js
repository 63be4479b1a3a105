// Admin › Canned responses: shortcode, title and text, for everyone, a team
// or only the author; searched by prefix like the reply box does.
import { h, mount, toast } from '../../dom.js';
import { api, query } from '../../api.js';
import { t } from '../../i18n.js';
import * as features from '../../features.js';
import { formDialog, confirmDialog } from '../dialog.js';
import { field, input, select } from './fields.js';

export class CannedSection {
  constructor(el, state) {
    this.el = el;
    this.state = state;
    this.q = '';
  }

  async show() {
    const search = h('input', {
      type: 'search', class: 'search', placeholder: t('canned.search'), 'aria-label': t('canned.search'), value: this.q,
      oninput: () => { clearTimeout(this.timer); this.timer = setTimeout(() => { this.q = search.value.trim(); this.load(); }, 250); },
    });
    this.tableEl = h('div', {}, h('p', { class: 'muted' }, t('admin.loading')));
    mount(this.el,
      h('div', { class: 'section-head' },
        h('h1', {}, t('canned.title')),
        features.has('POST', '/v1/canned') ? h('button', { class: 'btn btn--primary', type: 'button', onclick: () => this.edit(null) }, t('canned.new')) : null),
      search,
      this.tableEl);
    await this.load();
  }

  async load() {
    let items;
    try {
      items = (await api.get(`/v1/canned${query({ q: this.q, limit: 200 })}`))?.items || [];
    } catch (e) {
      mount(this.tableEl, h('p', { class: 'form-error' }, t('error.generic', { reason: e.message })));
      return;
    }
    mount(this.tableEl, items.length ? h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, [t('canned.shortcode'), t('canned.titleField'), t('canned.body'), t('canned.scope'), ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, items.map((c) => h('tr', { dataset: { id: c.id } },
        h('td', { class: 'mono' }, `/${c.shortcode}`),
        h('td', {}, c.title || ''),
        h('td', { class: 'cell-text' }, c.body || ''),
        h('td', {}, scopeLabel(c, this.state)),
        h('td', { class: 'row-actions' },
          features.has('PATCH', '/v1/canned/{id}') ? h('button', { class: 'btn btn--small', type: 'button', onclick: () => this.edit(c) }, t('admin.edit')) : null,
          features.has('DELETE', '/v1/canned/{id}') ? h('button', { class: 'btn btn--small btn--danger', type: 'button', onclick: () => this.remove(c) }, t('admin.delete')) : null)))))
      : h('p', { class: 'muted' }, t('canned.empty')));
  }

  async edit(c) {
    const shortcode = input('shortcode', c?.shortcode, { required: true, autofocus: true, pattern: '[^\\s/]+' });
    const title = input('title', c?.title);
    const body = h('textarea', { name: 'body', rows: 4, required: true }, c?.body || '');
    const teams = this.state.teams || [];
    const scope = select('scope', [
      ['global', t('canned.scope.global')],
      ...teams.map((tm) => [`team:${tm.id}`, `${t('canned.scope.team')}: ${tm.name}`]),
      ['mine', t('canned.scope.mine')],
    ], c?.scope === 'team' ? `team:${c.team}` : c?.scope === 'personal' ? 'mine' : c ? 'global' : 'mine', { disabled: Boolean(c) });
    await formDialog({
      title: c ? `${t('admin.edit')}: /${c.shortcode}` : t('canned.new'),
      body: h('div', { class: 'form-grid' },
        field(t('canned.shortcode'), shortcode), field(t('canned.titleField'), title),
        field(t('canned.body'), body), field(t('canned.scope'), scope)),
      onSubmit: async () => {
        const code = shortcode.value.trim().replace(/^\//, '');
        if (!code) throw new Error(t('admin.required', { field: t('canned.shortcode') }));
        if (!body.value.trim()) throw new Error(t('admin.required', { field: t('canned.body') }));
        const payload = { shortcode: code, title: title.value.trim(), body: body.value.trim() };
        if (c) {
          await api.patch(`/v1/canned/${c.id}`, payload);
        } else {
          if (scope.value === 'mine') payload.scope = 'personal';
          else if (scope.value === 'global') payload.scope = 'global';
          else { payload.scope = 'team'; payload.team = Number(scope.value.slice(5)); }
          await api.post('/v1/canned', payload);
        }
        toast(t('admin.saved'));
        this.load();
      },
    });
  }

  async remove(c) {
    if (!(await confirmDialog(t('admin.confirmDelete', { name: `/${c.shortcode}` }), t('admin.delete')))) return;
    try {
      await api.del(`/v1/canned/${c.id}`);
      toast(t('admin.deleted'));
      this.load();
    } catch (e) { toast(t('action.failed', { reason: e.message }), 'error'); }
  }
}

// {"scope": "personal" | "team" | "global", "team": id | null} (gateway/store/canned_store.cpp)
function scopeLabel(c, state) {
  if (c.scope === 'personal') return t('canned.scope.mine');
  if (c.scope === 'team') return `${t('canned.scope.team')}: ${state.teams.find((tm) => Number(tm.id) === Number(c.team))?.name || `#${c.team}`}`;
  return t('canned.scope.global');
}
