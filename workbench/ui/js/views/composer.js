// The reply box: Ctrl/Cmd+Enter sends, a private-note switch, the typing
// signal to the customer, and canned-response suggestions while typing —
// "/code" searches shortcodes, otherwise the word before the caret searches
// titles and texts (GET /v1/canned?q=), picked with the arrow keys and
// Enter or Tab, or the mouse. Files (attach button, paste, drop) upload at
// once and go out as parts next to the text.
import { h } from '../dom.js';
import { api, query } from '../api.js';
import { t } from '../i18n.js';
import * as features from '../features.js';
import { PendingAttachments } from '../attachments.js';
import { AttachmentBar } from './attachment_bar.js';

const IDLE_MS = 4000;

/** The search the text before the caret asks for, or null. Exported for tests. */
export function cannedQuery(before) {
  const line = before.slice(before.lastIndexOf('\n') + 1);
  if (line.startsWith('/')) {
    const code = line.slice(1);
    return /\s/.test(code) ? null : { q: code, from: before.length - line.length, shortcode: true };
  }
  const m = /(\S+)$/.exec(line);
  if (!m) return null;
  const word = m[1];
  // One CJK character already narrows it down; Latin words need two letters.
  const cjk = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/.test(word);
  if (!cjk && word.length < 2) return null;
  return { q: word, from: before.length - word.length, shortcode: false };
}

export class Composer {
  constructor(state, id) {
    this.state = state;
    this.id = id;
    this.suggestions = [];
    this.active = -1;
    this.seq = 0;
    this.idleTimer = 0;
    this.build();
  }

  build() {
    const listId = `canned-${this.id}`;
    this.textarea = h('textarea', {
      class: 'composer-input',
      id: `composer-${this.id}`,
      rows: 3,
      placeholder: t('composer.placeholder'),
      'aria-label': t('composer.label'),
      'aria-autocomplete': 'list',
      'aria-controls': listId,
      'aria-expanded': 'false',
      oninput: () => this.onInput(),
      onkeydown: (e) => this.onKeyDown(e),
      onblur: () => { this.state.typingSignal(this.id, false); setTimeout(() => this.close(), 150); },
    });
    this.list = h('ul', { class: 'canned', id: listId, role: 'listbox', 'aria-label': t('composer.canned'), hidden: true });
    this.note = h('input', { type: 'checkbox', id: `note-${this.id}`, onchange: () => this.onNoteToggle() });
    this.sendBtn = h('button', { class: 'btn btn--primary', type: 'submit' }, t('composer.send'));
    this.blocked = h('span', { class: 'composer-blocked', role: 'status' });
    this.el = h('form', {
      class: 'composer',
      onsubmit: (e) => { e.preventDefault(); this.send(); },
    });
    this.pending = new PendingAttachments((file) => api.uploadFile(file));
    this.pending.addEventListener('change', () => this.onAttachmentsChange());
    this.attachments = new AttachmentBar(this.pending, this.id, this.el);
    this.attachments.listenForPaste(this.textarea);
    this.el.append(
      h('div', { class: 'composer-box' }, this.list, this.textarea),
      this.attachments.list,
      h('div', { class: 'composer-bar' },
        this.attachments.picker,
        this.attachments.button,
        h('label', { class: 'note-toggle', for: `note-${this.id}` }, this.note, ' ', t('composer.note')),
        this.blocked,
        h('span', { class: 'muted composer-hint' }, t('composer.hint')),
        this.sendBtn));
  }

  // A reply waits for its uploads; files that failed must be removed (or
  // picked again) first, so nothing the agent attached is silently dropped.
  whyNotSendable() {
    if (this.pending.uploading) return t('attach.waitUpload');
    if (this.pending.failed) return t('attach.removeFailed');
    return '';
  }

  onAttachmentsChange() {
    if (this.blocked.textContent) this.blocked.textContent = this.whyNotSendable();
    this.sendBtn.setAttribute('aria-disabled', String(this.pending.uploading));
  }

  onNoteToggle() {
    this.el.classList.toggle('composer--note', this.note.checked);
    this.textarea.placeholder = this.note.checked ? t('composer.notePlaceholder') : t('composer.placeholder');
  }

  focus() { this.textarea.focus(); }

  onInput() {
    if (!this.note.checked) {
      this.state.typingSignal(this.id, true);
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => this.state.typingSignal(this.id, false), IDLE_MS);
    }
    this.suggest();
  }

  onKeyDown(e) {
    const open = !this.list.hidden && this.suggestions.length > 0;
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      this.send();
      return;
    }
    if (!open) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = this.suggestions.length;
      this.highlight((this.active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      this.pick(this.active < 0 ? 0 : this.active);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this.close();
    }
  }

  async suggest() {
    if (!features.has('GET', '/v1/canned')) return;
    const before = this.textarea.value.slice(0, this.textarea.selectionStart);
    const want = cannedQuery(before);
    const mySeq = ++this.seq;
    if (!want) { this.close(); return; }
    await new Promise((r) => setTimeout(r, 120)); // one request per pause in typing
    if (mySeq !== this.seq) return;
    let items = [];
    try {
      const r = await api.get(`/v1/canned${query({ q: want.q, limit: 8 })}`);
      items = r?.items || (Array.isArray(r) ? r : []);
    } catch {
      return;
    }
    if (mySeq !== this.seq) return; // a newer keystroke has its own answer coming
    if (want.shortcode) items = items.filter((c) => String(c.shortcode || '').toLowerCase().startsWith(want.q.toLowerCase()));
    this.want = want;
    this.suggestions = items.slice(0, 8);
    this.renderList();
  }

  renderList() {
    this.list.replaceChildren();
    if (!this.suggestions.length) { this.close(); return; }
    this.suggestions.forEach((c, i) => {
      this.list.append(h('li', {
        id: `${this.list.id}-${i}`,
        class: 'canned-item',
        role: 'option',
        'aria-selected': 'false',
        dataset: { shortcode: c.shortcode || '' },
        onmousedown: (e) => { e.preventDefault(); this.pick(i); },
      },
      h('span', { class: 'canned-code' }, `/${c.shortcode || ''}`),
      h('span', { class: 'canned-title' }, c.title || ''),
      h('span', { class: 'canned-body' }, c.body || c.text || '')));
    });
    this.list.hidden = false;
    this.textarea.setAttribute('aria-expanded', 'true');
    this.highlight(0);
  }

  highlight(i) {
    this.active = i;
    [...this.list.children].forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    const li = this.list.children[i];
    if (li) {
      this.textarea.setAttribute('aria-activedescendant', li.id);
      li.scrollIntoView({ block: 'nearest' });
    }
  }

  pick(i) {
    const c = this.suggestions[i];
    if (!c || !this.want) return;
    const text = this.textarea.value;
    const caret = this.textarea.selectionStart;
    const body = c.body || c.text || '';
    this.textarea.value = text.slice(0, this.want.from) + body + text.slice(caret);
    const at = this.want.from + body.length;
    this.textarea.setSelectionRange(at, at);
    this.close();
    this.textarea.focus();
  }

  close() {
    this.seq++;
    this.suggestions = [];
    this.active = -1;
    this.list.hidden = true;
    this.list.replaceChildren();
    this.textarea.setAttribute('aria-expanded', 'false');
    this.textarea.removeAttribute('aria-activedescendant');
  }

  send() {
    const text = this.textarea.value.trim();
    if (!text && this.pending.empty) return;
    const why = this.whyNotSendable();
    this.blocked.textContent = why;
    if (why) return;
    const attachments = this.pending.parts();
    clearTimeout(this.idleTimer);
    this.close();
    this.textarea.value = '';
    this.pending.clear();
    this.state.send(this.id, text, { isPrivate: this.note.checked, attachments });
    this.textarea.focus();
  }
}
