// Admin › Agents: invite (login, initial password, role, teams, skills,
// capacity per channel type), edit, remove.
import { h, mount, toast } from '../../dom.js';
import { api } from '../../api.js';
import { t } from '../../i18n.js';
import * as features from '../../features.js';
import { CHANNEL_TYPES } from '../../format.js';
import { formDialog, confirmDialog } from '../dialog.js';
import { field, input, select, words } from './fields.js';

export class AgentsSection {
  constructor(el) { this.el = el; }

  async show() {
    mount(this.el, h('p', { class: 'muted' }, t('admin.loading')));
    let agents;
    let teams = [];
    try {
      agents = (await api.get('/v1/admin/users'))?.items || [];
      if (features.has('GET', '/v1/admin/teams')) teams = (await api.get('/v1/admin/teams'))?.items || [];
    } catch (e) {
      mount(this.el, h('p', { class: 'form-error' }, t('error.generic', { reason: e.message })));
      return;
    }
    this.teams = teams;
    const teamName = (id) => teams.find((tm) => Number(tm.id) === Number(id))?.name || `#${id}`;
    mount(this.el,
      h('div', { class: 'section-head' },
        h('h1', {}, t('agents.title')),
        features.has('POST', '/v1/admin/users') ? h('button', { class: 'btn btn--primary', type: 'button', onclick: () => this.edit(null) }, t('agents.new')) : null),
      agents.length ? h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, [t('agents.name'), t('agents.login'), t('agents.role'), t('agents.teams'), t('agents.skillsColumn'), t('agents.presence'), ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, agents.map((a) => h('tr', { dataset: { id: a.id } },
          h('td', {}, a.name || '', a.disabled ? [' ', h('span', { class: 'chip chip--resolved' }, t('agents.disabled'))] : null),
          h('td', { class: 'mono' }, a.login),
          h('td', {}, t(`agents.role.${a.role}`)),
          h('td', {}, (a.team_ids || []).map((tm) => h('span', { class: 'tag' }, teamName(tm)))),
          h('td', {}, (a.skills || []).map((s) => h('span', { class: 'tag' }, s))),
          h('td', {}, a.presence ? h('span', { class: `presence-dot presence-dot--${a.presence}` }, t(`presence.${a.presence}`)) : ''),
          h('td', { class: 'row-actions' },
            features.has('PATCH', '/v1/admin/users/{id}') ? h('button', { class: 'btn btn--small', type: 'button', onclick: () => this.edit(a) }, t('admin.edit')) : null,
            features.has('DELETE', '/v1/admin/users/{id}') && !a.disabled ? h('button', { class: 'btn btn--small btn--danger', type: 'button', onclick: () => this.remove(a) }, t('admin.delete')) : null)))))
        : h('p', { class: 'muted' }, t('agents.empty')));
  }

  async edit(agent) {
    const isNew = !agent;
    const login = input('login', agent?.login, { required: true, autocomplete: 'off', disabled: !isNew, autofocus: isNew });
    const name = input('name', agent?.name);
    const password = input('password', '', { type: 'password', autocomplete: 'new-password', minlength: 8, required: isNew });
    const role = select('role', [['agent', t('agents.role.agent')], ['admin', t('agents.role.admin')]], agent?.role || 'agent');
    const current = new Set((agent?.team_ids || []).map(String));
    const teamBoxes = this.teams.map((tm) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: tm.id, checked: current.has(String(tm.id)) }), ' ', tm.name));
    const skills = input('skills', (agent?.skills || []).join(', '));
    const capacity = agent?.capacity || {};
    // "default" covers the channel types not listed (schema/agent.h).
    const capLabel = (ct) => (ct === 'default' ? t('agents.capacityDefault') : t(`channel.${ct}`));
    const capInputs = [...CHANNEL_TYPES, 'default'].map((ct) => [ct, input(`cap-${ct}`, capacity[ct] ?? '', { type: 'number', min: 0, max: 1000, class: 'input--narrow', 'aria-label': `${t('agents.capacity')}: ${capLabel(ct)}` })]);
    await formDialog({
      title: isNew ? t('agents.new') : `${t('admin.edit')}: ${agent.login}`,
      body: h('div', { class: 'form-grid' },
        field(t('agents.login'), login),
        field(t('agents.name'), name),
        field(isNew ? t('agents.password') : t('agents.newPassword'), password),
        field(t('agents.role'), role),
        this.teams.length ? [h('span', { class: 'label' }, t('agents.teams')), h('div', { class: 'checks' }, teamBoxes)] : null,
        field(t('agents.skills'), skills),
        h('span', { class: 'label' }, t('agents.capacity')),
        h('div', { class: 'capacity' }, capInputs.map(([ct, el]) => h('label', { class: 'cap' }, h('span', {}, capLabel(ct)), el)))),
      onSubmit: async () => {
        if (password.value && password.value.length < 8) throw new Error(t('agents.passwordShort'));
        const body = {
          name: name.value.trim(),
          role: role.value,
          skills: words(skills.value),
          capacity: Object.fromEntries(capInputs.filter(([, el]) => el.value !== '').map(([ct, el]) => [ct, Number(el.value)])),
        };
        if (this.teams.length) body.teams = teamBoxes.map((l) => l.querySelector('input')).filter((c) => c.checked).map((c) => Number(c.value));
        if (password.value) body.password = password.value;
        if (isNew) {
          if (!login.value.trim()) throw new Error(t('admin.required', { field: t('agents.login') }));
          body.login = login.value.trim();
          await api.post('/v1/admin/users', body);
        } else {
          await api.patch(`/v1/admin/users/${agent.id}`, body);
        }
        toast(t('admin.saved'));
        this.show();
      },
    });
  }

  async remove(agent) {
    if (!(await confirmDialog(t('admin.confirmDelete', { name: agent.name || agent.login }), t('admin.delete')))) return;
    try {
      await api.del(`/v1/admin/users/${agent.id}`);
      toast(t('admin.deleted'));
      this.show();
    } catch (e) { toast(t('action.failed', { reason: e.message }), 'error'); }
  }
}
