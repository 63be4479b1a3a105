// The actions on a conversation: accept an offer, take it from the queue,
// resolve / reopen, transfer (agent or team, with a note), snooze, priority,
// tags. Each shows only when this gateway serves its route and the
// conversation's status allows it.
import { h, toast } from '../dom.js';
import { t } from '../i18n.js';
import * as features from '../features.js';
import { formDialog } from './dialog.js';

const route = (action) => `/v1/conversations/{id}/${action}`;

export function actionsBar(state, id) {
  const v = state.view(id);
  const mine = v.assigneeId === Number(state.me.id);
  const run = (fn) => async () => {
    try {
      await fn();
    } catch (e) {
      toast(t('action.failed', { reason: e.message }), 'error');
    }
  };
  const button = (action, label, onclick, primary = false) => (features.has('POST', route(action))
    ? h('button', { class: `btn btn--small${primary ? ' btn--primary' : ''}`, type: 'button', dataset: { action }, onclick: run(onclick) }, label)
    : null);

  const offered = state.offers.has(id);
  return h('div', { class: 'actions', role: 'toolbar', 'aria-label': t('conv.history') },
    offered ? button('accept', t('action.accept'), () => state.act(id, 'accept'), true) : null,
    offered ? button('decline', t('action.decline'), () => state.act(id, 'decline')) : null,
    !offered && v.status === 'queued' ? button('claim', t('action.claim'), () => state.act(id, 'claim'), true) : null,
    v.status !== 'resolved' ? button('resolve', t('action.resolve'), () => state.act(id, 'resolve'), mine) : null,
    v.status === 'resolved' || v.status === 'snoozed' ? button('reopen', t('action.reopen'), () => state.act(id, 'reopen')) : null,
    v.status !== 'resolved' ? button('transfer', t('action.transfer'), () => transferDialog(state, id)) : null,
    v.status !== 'resolved' ? button('snooze', t('action.snooze'), () => snoozeDialog(state, id)) : null,
    features.has('PATCH', '/v1/conversations/{id}') ? prioritySelect(state, id, v, run) : null,
    features.has('PATCH', '/v1/conversations/{id}')
      ? h('button', { class: 'btn btn--small', type: 'button', dataset: { action: 'tags' }, onclick: run(() => tagsDialog(state, id, v)) }, t('action.tags'))
      : null);
}

function prioritySelect(state, id, v, run) {
  const select = h('select', {
    class: 'select--small',
    'aria-label': t('action.priority'),
    onchange: run(() => state.patch(id, { priority: Number(select.value) })),
  }, [0, 1, 2].map((p) => h('option', { value: p, selected: Math.min(2, v.priority) === p }, `${t('action.priority')}: ${t(`priority.${p}`)}`)));
  return select;
}

function transferDialog(state, id) {
  const agents = state.agents.filter((a) => String(a.id) !== String(state.me.id) && !a.disabled);
  const teams = state.teams;
  const kind = h('select', { id: 'transfer-kind', name: 'kind' },
    agents.length ? h('option', { value: 'agent' }, t('transfer.agent')) : null,
    teams.length ? h('option', { value: 'team' }, t('transfer.team')) : null);
  const agentSel = h('select', { id: 'transfer-agent', name: 'agent', 'aria-label': t('transfer.agent') },
    agents.map((a) => h('option', { value: a.id }, `${a.name || a.login}${a.presence ? ` · ${t(`presence.${a.presence}`)}` : ''}`)));
  const teamSel = h('select', { id: 'transfer-team', name: 'team', 'aria-label': t('transfer.team'), hidden: true },
    teams.map((tm) => h('option', { value: tm.id }, tm.name)));
  const sync = () => { agentSel.hidden = kind.value !== 'agent'; teamSel.hidden = kind.value !== 'team'; };
  kind.addEventListener('change', sync);
  const note = h('textarea', { id: 'transfer-note', name: 'note', rows: 3 });
  sync();
  return formDialog({
    title: t('transfer.title'),
    submitLabel: t('transfer.submit'),
    body: h('div', { class: 'form-grid' },
      h('label', { for: 'transfer-kind' }, t('transfer.to')), kind,
      h('span', { 'aria-hidden': 'true' }), h('div', {}, agentSel, teamSel),
      h('label', { for: 'transfer-note' }, t('transfer.note')), note),
    onSubmit: async () => {
      const body = kind.value === 'team' ? { team: Number(teamSel.value) } : { agent: Number(agentSel.value) };
      if (note.value.trim()) body.note = note.value.trim();
      await state.act(id, 'transfer', body);
      toast(t('action.done'));
    },
  });
}

function snoozeDialog(state, id) {
  const now = new Date();
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0, 0);
  const choices = [
    ['1h', new Date(now.getTime() + 3600e3)],
    ['4h', new Date(now.getTime() + 4 * 3600e3)],
    ['tomorrow', tomorrow],
  ];
  const custom = h('input', { type: 'datetime-local', id: 'snooze-custom', 'aria-label': t('snooze.custom') });
  const radios = choices.map(([key], i) => h('label', { class: 'radio' },
    h('input', { type: 'radio', name: 'until', value: key, checked: i === 0 }), ' ', t(`snooze.${key}`)));
  radios.push(h('label', { class: 'radio' }, h('input', { type: 'radio', name: 'until', value: 'custom' }), ' ', t('snooze.custom'), ' ', custom));
  return formDialog({
    title: t('snooze.title'),
    submitLabel: t('snooze.submit'),
    body: h('fieldset', { class: 'radios' }, h('legend', { class: 'sr-only' }, t('snooze.title')), radios),
    onSubmit: async (form) => {
      const picked = form.querySelector('input[name=until]:checked').value;
      const until = picked === 'custom' ? new Date(custom.value) : choices.find(([k]) => k === picked)[1];
      if (Number.isNaN(until.getTime())) throw new Error(t('snooze.custom'));
      await state.act(id, 'snooze', { until: until.toISOString() });
      toast(t('action.done'));
    },
  });
}

function tagsDialog(state, id, v) {
  const input = h('input', { id: 'tags-input', value: v.tags.join(', '), autofocus: true, 'aria-describedby': 'tags-hint' });
  return formDialog({
    title: t('tags.title'),
    submitLabel: t('tags.submit'),
    body: h('div', { class: 'form-grid' },
      h('label', { for: 'tags-input' }, t('tags.title')), input,
      h('span', {}), h('p', { id: 'tags-hint', class: 'muted' }, t('tags.hint'))),
    onSubmit: async () => {
      const tags = [...new Set(input.value.split(/[,，]/).map((s) => s.trim()).filter(Boolean))];
      await state.patch(id, { tags });
    },
  });
}
