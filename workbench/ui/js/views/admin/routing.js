// Admin › Routing rules: {"rules","sla","reopen_window_s"} as JSON in an
// editor; the server validates on save (PUT /v1/admin/routing-rules) and its
// message — which names the JSON path of the first problem — is shown next
// to the editor.
import { h, mount, toast } from '../../dom.js';
import { api } from '../../api.js';
import { t } from '../../i18n.js';

export class RoutingSection {
  constructor(el) { this.el = el; }

  async show() {
    mount(this.el, h('p', { class: 'muted' }, t('admin.loading')));
    let rules;
    try {
      rules = await api.get('/v1/admin/routing-rules');
      delete rules.updated_at; // the server's, not something to edit
    } catch (e) {
      mount(this.el, h('p', { class: 'form-error' }, t('error.generic', { reason: e.message })));
      return;
    }
    const editor = h('textarea', {
      id: 'routing-json', class: 'code-editor mono', rows: 24, spellcheck: 'false',
      'aria-describedby': 'routing-hint routing-error',
      onkeydown: (e) => {
        // Tab indents inside the editor; Escape then Tab leaves it (keyboard users are not trapped).
        if (e.key === 'Tab' && !e.shiftKey && !this.escaped) {
          e.preventDefault();
          editor.setRangeText('  ', editor.selectionStart, editor.selectionEnd, 'end');
        }
        this.escaped = e.key === 'Escape';
      },
    });
    editor.value = JSON.stringify(rules ?? {}, null, 2);
    const error = h('pre', { id: 'routing-error', class: 'form-error', role: 'alert' });
    const parse = () => {
      try {
        return JSON.parse(editor.value);
      } catch (e) {
        error.textContent = t('routing.badJson', { reason: e.message });
        return undefined;
      }
    };
    mount(this.el,
      h('div', { class: 'section-head' }, h('h1', {}, h('label', { for: 'routing-json' }, t('routing.title')))),
      h('p', { id: 'routing-hint', class: 'muted' }, t('routing.hint')),
      editor,
      error,
      h('div', { class: 'form-actions' },
        h('button', { class: 'btn', type: 'button', onclick: () => this.show() }, t('routing.reload')),
        h('button', {
          class: 'btn', type: 'button',
          onclick: () => { error.textContent = ''; const v = parse(); if (v !== undefined) editor.value = JSON.stringify(v, null, 2); },
        }, t('routing.format')),
        h('button', {
          class: 'btn btn--primary', type: 'button',
          onclick: async () => {
            error.textContent = '';
            const v = parse();
            if (v === undefined) return;
            try {
              const saved = await api.put('/v1/admin/routing-rules', v);
              if (saved && typeof saved === 'object') {
                delete saved.updated_at;
                editor.value = JSON.stringify(saved, null, 2);
              }
              toast(t('admin.saved'));
            } catch (e) {
              error.textContent = t('routing.rejected', { reason: e.message });
            }
          },
        }, t('routing.save'))));
  }
}
