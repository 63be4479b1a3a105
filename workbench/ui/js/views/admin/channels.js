// Admin › Channels: the list (enable / disable, rotate secrets), a create
// and edit form per channel type, and a channel's page with everything to
// paste into WeChat's console, a web page or an app, and a connection test.
import { h, mount, toast, copyText } from '../../dom.js';
import { api } from '../../api.js';
import { t } from '../../i18n.js';
import * as features from '../../features.js';
import { CHANNEL_TYPES } from '../../format.js';
import { channelBadge } from '../badges.js';
import { confirmDialog } from '../dialog.js';
import {
  CHANNEL_FORMS, ROTATABLE, validateChannel, channelBody, channelPatch, formValues, channelOutputs, canTestConnection,
} from './channel_forms.js';

export class ChannelsSection {
  constructor(el) {
    this.el = el;
  }

  // []: the list · ['new', type]: the create form · [id]: one channel · [id, 'edit']: its edit form
  async show(rest) {
    if (rest[0] === 'new') return this.form(CHANNEL_TYPES.includes(rest[1]) ? rest[1] : 'web');
    if (Number(rest[0]) && rest[1] === 'edit') return this.edit(Number(rest[0]));
    if (Number(rest[0])) return this.detail(Number(rest[0]));
    return this.list();
  }

  async edit(id) {
    let ch;
    try {
      ch = await api.get(`/v1/admin/channels/${id}`);
    } catch (e) {
      mount(this.el, h('p', { class: 'form-error' }, t('error.generic', { reason: e.message })));
      return;
    }
    this.form(ch.type, ch);
  }

  async list() {
    mount(this.el, h('p', { class: 'muted' }, t('admin.loading')));
    let items;
    try {
      items = (await api.get('/v1/admin/channels'))?.items || [];
    } catch (e) {
      mount(this.el, h('p', { class: 'form-error' }, t('error.generic', { reason: e.message })));
      return;
    }
    mount(this.el,
      h('div', { class: 'section-head' },
        h('h1', {}, t('channels.title')),
        h('div', { class: 'new-channel' },
          h('span', { class: 'muted' }, t('channels.new'), ': '),
          CHANNEL_TYPES.map((type) => h('a', { class: 'btn btn--small', href: `#/admin/channels/new/${type}`, dataset: { type } }, t(`channel.${type}`))))),
      items.length
        ? h('table', { class: 'table' },
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, t('channels.type')), h('th', { scope: 'col' }, t('channels.name')),
            h('th', { scope: 'col' }, t('channels.enabled')), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('channels.details'))))),
          h('tbody', {}, items.map((ch) => this.row(ch))))
        : h('p', { class: 'muted' }, t('channels.empty')));
  }

  row(ch) {
    const toggle = h('button', {
      class: 'btn btn--small', type: 'button', 'aria-pressed': String(ch.enabled),
      onclick: async () => {
        try {
          await api.patch(`/v1/admin/channels/${ch.id}`, { enabled: !ch.enabled });
          this.list();
        } catch (e) { toast(t('action.failed', { reason: e.message }), 'error'); }
      },
    }, ch.enabled ? t('channels.disable') : t('channels.enable'));
    return h('tr', { dataset: { id: ch.id } },
      h('td', {}, channelBadge(ch.type)),
      h('td', {}, h('a', { href: `#/admin/channels/${ch.id}` }, ch.name)),
      h('td', {}, h('span', { class: `chip ${ch.enabled ? 'chip--assigned' : 'chip--resolved'}` }, ch.enabled ? t('channels.enabled') : t('channels.disabled')), ' ', toggle),
      h('td', {}, h('a', { class: 'btn btn--small', href: `#/admin/channels/${ch.id}` }, t('channels.details'))));
  }

  // The create form, or with `existing` (a channel as the admin API answers
  // it) the edit form: filled in, secrets left empty to keep them.
  form(type, existing = null) {
    const fields = CHANNEL_FORMS[type];
    const initial = existing ? formValues(type, existing) : null;
    const inputs = new Map();
    const errors = new Map();
    const control = (f) => {
      const id = `ch-${f.key}`;
      let input;
      if (f.kind === 'select') {
        input = h('select', { id, name: f.key },
          f.options.map((o) => h('option', { value: o, selected: o === f.value }, f.raw ? o : t(`field.${f.key}.${o}`))));
      } else if (f.kind === 'textarea') {
        input = h('textarea', { id, name: f.key, rows: 3, placeholder: f.placeholder || '' });
      } else if (f.kind === 'checkbox') {
        input = h('input', { id, name: f.key, type: 'checkbox' });
      } else {
        const keepSecret = existing && f.kind === 'password';
        input = h('input', {
          id, name: f.key, type: f.kind === 'password' ? 'password' : f.kind === 'number' ? 'number' : 'text',
          autocomplete: f.kind === 'password' ? 'new-password' : 'off',
          placeholder: keepSecret ? t('channels.secretKept') : f.placeholder || '', required: f.required,
        });
      }
      if (initial && f.key in initial) {
        if (input.type === 'checkbox') input.checked = Boolean(initial[f.key]);
        else input.value = initial[f.key];
      }
      const err = h('span', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' });
      input.setAttribute('aria-describedby', `${id}-error`);
      inputs.set(f.key, input);
      errors.set(f.key, err);
      return h('div', { class: `field${f.advanced ? ' field--advanced' : ''}` },
        h('label', { for: id }, t(`field.${f.key}`), f.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
        input, err);
    };
    const nameField = control({ key: 'name', required: true, kind: 'text' });
    const formError = h('p', { class: 'form-error', role: 'alert' });
    const submit = h('button', { class: 'btn btn--primary', type: 'submit' }, existing ? t('dialog.save') : t('admin.create'));
    const form = h('form', {
      class: 'channel-form', novalidate: true,
      onsubmit: async (ev) => {
        ev.preventDefault();
        const values = {};
        for (const [key, input] of inputs) values[key] = input.type === 'checkbox' ? input.checked : input.value;
        for (const [key, err] of errors) { err.textContent = ''; inputs.get(key).removeAttribute('aria-invalid'); }
        formError.textContent = '';
        const problems = validateChannel(type, values);
        for (const p of problems) {
          const [msgKey, ...rest] = p.message;
          const field = t(`field.${p.key}`);
          const params = msgKey === 'invalid.origin' ? { field, value: rest[0] }
            : msgKey === 'invalid.range' ? { field, min: rest[1], max: rest[2] }
            : msgKey === 'invalid.length' ? { field, max: rest[0] } : { field };
          errors.get(p.key).textContent = t(msgKey, params);
          inputs.get(p.key).setAttribute('aria-invalid', 'true');
        }
        if (problems.length) { inputs.get(problems[0].key).focus(); return; }
        submit.disabled = true;
        try {
          const ch = existing
            ? await api.patch(`/v1/admin/channels/${existing.id}`, channelPatch(type, existing, values))
            : await api.post('/v1/admin/channels', channelBody(type, values));
          this.fresh = { ch, notice: existing ? t('channels.saved') : t('channels.created') };
          location.hash = `#/admin/channels/${ch.id}`;
        } catch (e) {
          formError.textContent = e.message;
          submit.disabled = false;
        }
      },
    },
    nameField,
    fields.map(control),
    formError,
    h('div', { class: 'form-actions' },
      h('a', { class: 'btn', href: existing ? `#/admin/channels/${existing.id}` : '#/admin/channels' }, t('dialog.cancel')), submit));
    if (initial) inputs.get('name').value = initial.name;
    mount(this.el,
      h('p', {}, h('a', { href: '#/admin/channels' }, `← ${t('channels.back')}`)),
      h('h1', {}, channelBadge(type), ' ',
        existing ? t('channels.form.editTitle', { name: existing.name }) : t('channels.form.title', { type: t(`channel.${type}`) })),
      form);
    inputs.get('name').focus();
  }

  async detail(id) {
    // Right after create or rotate the answer is shown as it came (it is
    // what the admin must copy now) rather than read again.
    let ch = this.fresh && Number(this.fresh.ch.id) === id ? this.fresh.ch : null;
    const notice = ch ? this.fresh.notice : '';
    this.fresh = null;
    if (!ch) {
      try {
        ch = await api.get(`/v1/admin/channels/${id}`);
      } catch (e) {
        mount(this.el, h('p', { class: 'form-error' }, t('error.generic', { reason: e.message })));
        return;
      }
    }
    const outputs = channelOutputs(ch, features.publicUrl());
    const rotatable = ROTATABLE[ch.type] || [];
    const testResults = h('section', { class: 'conn-test', 'aria-live': 'polite', hidden: true });
    mount(this.el,
      h('p', {}, h('a', { href: '#/admin/channels' }, `← ${t('channels.back')}`)),
      h('div', { class: 'section-head' },
        h('h1', {}, channelBadge(ch.type), ' ', ch.name),
        h('span', { class: `chip ${ch.enabled ? 'chip--assigned' : 'chip--resolved'}` }, ch.enabled ? t('channels.enabled') : t('channels.disabled'))),
      notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
      h('dl', { class: 'outputs' }, outputs.map((o) => output(o))),
      h('div', { class: 'form-actions' },
        h('button', {
          class: 'btn', type: 'button',
          onclick: async () => {
            try {
              await api.patch(`/v1/admin/channels/${id}`, { enabled: !ch.enabled });
              this.detail(id);
            } catch (e) { toast(t('action.failed', { reason: e.message }), 'error'); }
          },
        }, ch.enabled ? t('channels.disable') : t('channels.enable')),
        rotatable.length ? h('button', {
          class: 'btn', type: 'button',
          onclick: async () => {
            if (!(await confirmDialog(t('channels.rotateConfirm', { name: ch.name }), t('channels.rotate')))) return;
            try {
              this.fresh = { ch: await api.patch(`/v1/admin/channels/${id}`, { rotate_secrets: rotatable }), notice: t('channels.rotated') };
              this.detail(id);
            } catch (e) { toast(t('action.failed', { reason: e.message }), 'error'); }
          },
        }, t('channels.rotate')) : null,
        h('a', { class: 'btn', href: `#/admin/channels/${id}/edit` }, t('channels.edit')),
        canTestConnection(ch) && features.has('POST', '/v1/admin/channels/{id}/test') ? testButton(id, testResults) : null,
        ch.type === 'email' && features.has('POST', '/v1/admin/channels/{id}/poll') ? pollButton(id) : null),
      testResults);
  }
}

// Runs the channel's connection test (POST /v1/admin/channels/{id}/test) and
// lists each check with what answered or what to fix.
function testButton(id, results) {
  const button = h('button', {
    class: 'btn', type: 'button',
    onclick: async () => {
      button.disabled = true;
      results.hidden = false;
      mount(results, h('p', { class: 'muted' }, t('channels.testing')));
      try {
        const r = await api.post(`/v1/admin/channels/${id}/test`);
        mount(results, connectionTestResults(r));
      } catch (e) {
        mount(results, h('p', { class: 'form-error' }, t('action.failed', { reason: e.message })));
      } finally {
        button.disabled = false;
      }
    },
  }, t('channels.test'));
  return button;
}

function connectionTestResults(r) {
  const checks = r?.checks || [];
  const summary = !checks.length ? t('channels.testNothing') : r.ok ? t('channels.testOk') : t('channels.testFailed');
  return [
    h('h2', {}, t('channels.test')),
    h('p', { class: r?.ok ? 'notice' : 'form-error', role: 'status' }, summary),
    checks.length ? h('ul', { class: 'conn-checks' }, checks.map((c) => h('li', { class: `conn-check ${c.ok ? 'conn-check--ok' : 'conn-check--bad'}`, dataset: { check: c.name } },
      h('span', { class: 'conn-check-mark', 'aria-hidden': 'true' }, c.ok ? '✓' : '✗'),
      h('strong', {}, t(`check.${c.name}`)),
      h('span', { class: 'sr-only' }, c.ok ? t('channels.checkPassed') : t('channels.checkFailed')),
      h('span', { class: 'muted' }, t('channels.checkMs', { ms: c.ms })),
      h('span', { class: 'conn-check-detail' }, c.detail)))) : null,
  ];
}

// Email: polls the IMAP mailbox now, which also tests the connection and
// the password (POST /v1/admin/channels/{id}/poll answers what happened).
function pollButton(id) {
  return h('button', {
    class: 'btn', type: 'button',
    onclick: async () => {
      try {
        const r = await api.post(`/v1/admin/channels/${id}/poll`);
        if (r?.error) toast(t('channels.pollError', { reason: r.error }), 'error');
        else if (r?.skipped) toast(t('channels.pollSkipped', { reason: r.skipped }));
        else toast(t('channels.pollResult', { fetched: r?.fetched ?? 0, stored: r?.stored ?? 0 }));
      } catch (e) { toast(t('action.failed', { reason: e.message }), 'error'); }
    },
  }, t('channels.poll'));
}

function output({ label, value, multiline, hint }) {
  const id = `out-${label.replace(/\W/g, '-')}`;
  const field = multiline
    ? h('textarea', { id, class: 'mono output', readonly: true, rows: 2, value })
    : h('input', { id, class: 'mono output', readonly: true, value });
  const copy = h('button', {
    class: 'btn btn--small', type: 'button', 'aria-label': `${t('admin.copy')}: ${t(label)}`,
    onclick: async () => {
      const ok = await copyText(value, field);
      if (ok) { copy.textContent = t('admin.copied'); setTimeout(() => { copy.textContent = t('admin.copy'); }, 1500); }
    },
  }, t('admin.copy'));
  return [h('dt', {}, h('label', { for: id }, t(label))), h('dd', { dataset: { output: label } }, field, copy, hint ? h('p', { class: 'muted' }, t(hint)) : null)];
}
