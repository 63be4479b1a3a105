// The composer's attachments: an attach button (a hidden file picker behind
// it, so it is an ordinary focusable button), files pasted into or dropped on
// the reply box, and one chip per file with its name, size, upload state or
// error, and a remove button. The upload state lives in PendingAttachments.
import { h, mount } from '../dom.js';
import { t } from '../i18n.js';
import { fileSize } from '../format.js';
import { icon } from '../icons.js';

export class AttachmentBar {
  /** pending: a PendingAttachments; dropTarget: the element files may be dropped on. */
  constructor(pending, id, dropTarget) {
    this.pending = pending;
    this.picker = h('input', {
      type: 'file', multiple: true, hidden: true, id: `attach-${id}`, class: 'attach-picker', tabindex: '-1',
      onchange: () => { this.pending.add(this.picker.files); this.picker.value = ''; },
    });
    this.button = h('button', {
      type: 'button', class: 'btn btn--small attach-button', 'aria-controls': `attachments-${id}`,
      onclick: () => this.picker.click(),
    }, icon('clip'), ' ', t('attach.button'));
    this.list = h('ul', { class: 'attachments', id: `attachments-${id}`, 'aria-label': t('attach.list'), hidden: true });
    this.pending.addEventListener('change', () => this.render());
    this.listenForDrops(dropTarget);
  }

  /** Files pasted into `field` (a screenshot, files copied in a file manager) are attached, not pasted as text. */
  listenForPaste(field) {
    field.addEventListener('paste', (e) => {
      const files = e.clipboardData?.files;
      if (!files?.length) return;
      e.preventDefault();
      this.pending.add(files);
    });
  }

  listenForDrops(target) {
    const carriesFiles = (e) => [...(e.dataTransfer?.types || [])].includes('Files');
    target.addEventListener('dragover', (e) => {
      if (!carriesFiles(e)) return;
      e.preventDefault(); // allows the drop
      target.classList.add('is-dropping');
    });
    target.addEventListener('dragleave', (e) => {
      if (!target.contains(e.relatedTarget)) target.classList.remove('is-dropping');
    });
    target.addEventListener('drop', (e) => {
      target.classList.remove('is-dropping');
      if (!e.dataTransfer?.files?.length) return;
      e.preventDefault();
      this.pending.add(e.dataTransfer.files);
    });
  }

  render() {
    const items = this.pending.items;
    this.list.hidden = items.length === 0;
    mount(this.list, items.map((item) => h('li', {
      class: `attachment attachment--${item.state}`, dataset: { state: item.state, name: item.name },
    },
    icon('clip'),
    h('span', { class: 'attachment-name', title: item.name }, item.name),
    h('span', { class: 'attachment-size muted' }, fileSize(item.size)),
    item.state === 'uploading' ? h('span', { class: 'attachment-state muted', role: 'status' }, t('attach.uploading')) : null,
    item.state === 'failed' ? h('span', { class: 'attachment-error', role: 'alert' }, t(item.error.key, item.error.params)) : null,
    h('button', {
      type: 'button', class: 'btn btn--small btn--icon attachment-remove', 'aria-label': t('attach.remove', { name: item.name }),
      title: t('attach.remove', { name: item.name }),
      onclick: () => this.removeAndRefocus(item.key),
    }, '×'))));
  }

  // Keyboard users stay in the list: focus moves to the next chip's remove
  // button, or back to the attach button when none is left.
  removeAndRefocus(key) {
    const at = this.pending.items.findIndex((i) => i.key === key);
    this.pending.remove(key);
    const buttons = this.list.querySelectorAll('.attachment-remove');
    (buttons[Math.min(at, buttons.length - 1)] || this.button).focus();
  }
}
