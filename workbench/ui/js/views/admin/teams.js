// Admin › Teams: name and the team a full queue overflows to.
import { h, mount, toast } from '../../dom.js';
import { api } from '../../api.js';
import { t } from '../../i18n.js';
import * as features from '../../features.js';
import { formDialog, confirmDialog } from '../dialog.js';
import { field, input, select } from './fields.js';

export class TeamsSection {
  constructor(el) { this.el = el; }

  async show() {
    mount(this.el, h('p', { class: 'muted' }, t('admin.loading')));
    try {
      this.teams = (await api.get('/v1/admin/teams'))?.items || [];
    } catch (e) {
      mount(this.el, h('p', { class: 'form-error' }, t('error.generic', { reason: e.message })));
      return;
    }
    const nameOf = (id) => this.teams.find((tm) => Number(tm.id) === Number(id))?.name || t('teams.none');
    mount(this.el,
      h('div', { class: 'section-head' },
        h('h1', {}, t('teams.title')),
        features.has('POST', '/v1/admin/teams') ? h('button', { class: 'btn btn--primary', type: 'button', onclick: () => this.edit(null) }, t('teams.new')) : null),
      this.teams.length ? h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, [t('teams.name'), t('teams.fallback'), t('teams.members'), ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, this.teams.map((tm) => h('tr', { dataset: { id: tm.id } },
          h('td', {}, tm.name),
          h('td', {}, tm.fallback_team ? nameOf(tm.fallback_team) : t('teams.none')),
          h('td', {}, String((tm.members || []).length)),
          h('td', { class: 'row-actions' },
            features.has('PATCH', '/v1/admin/teams/{id}') ? h('button', { class: 'btn btn--small', type: 'button', onclick: () => this.edit(tm) }, t('admin.edit')) : null,
            features.has('DELETE', '/v1/admin/teams/{id}') ? h('button', { class: 'btn btn--small btn--danger', type: 'button', onclick: () => this.remove(tm) }, t('admin.delete')) : null)))))
        : h('p', { class: 'muted' }, t('teams.empty')));
  }

  async edit(team) {
    const name = input('name', team?.name, { required: true, autofocus: true });
    const fallback = select('fallback', [['', t('teams.none')], ...this.teams.filter((tm) => !team || tm.id !== team.id).map((tm) => [tm.id, tm.name])], team?.fallback_team ?? '');
    await formDialog({
      title: team ? `${t('admin.edit')}: ${team.name}` : t('teams.new'),
      body: h('div', { class: 'form-grid' }, field(t('teams.name'), name), field(t('teams.fallback'), fallback)),
      onSubmit: async () => {
        if (!name.value.trim()) throw new Error(t('admin.required', { field: t('teams.name') }));
        const body = { name: name.value.trim(), fallback_team: fallback.value ? Number(fallback.value) : null };
        if (team) await api.patch(`/v1/admin/teams/${team.id}`, body);
        else await api.post('/v1/admin/teams', body);
        toast(t('admin.saved'));
        this.show();
      },
    });
  }

  async remove(team) {
    if (!(await confirmDialog(t('admin.confirmDelete', { name: team.name }), t('admin.delete')))) return;
    try {
      await api.del(`/v1/admin/teams/${team.id}`);
      toast(t('admin.deleted'));
      this.show();
    } catch (e) { toast(t('action.failed', { reason: e.message }), 'error'); }
  }
}
