// Modal dialogs on the native <dialog> element: it keeps focus inside,
// closes on Escape, and gives focus back to where it was.
import { h } from '../dom.js';
import { t } from '../i18n.js';

/**
 * Opens a form dialog. body: nodes inside the form; onSubmit(form) may throw
 * (its message is shown in the dialog) or return false to keep it open.
 * Resolves when the dialog closes.
 */
export function formDialog({ title, body, submitLabel = t('dialog.save'), onSubmit }) {
  return new Promise((resolve) => {
    const back = document.activeElement;
    const error = h('p', { class: 'form-error', role: 'alert' });
    const submit = h('button', { class: 'btn btn--primary', type: 'submit' }, submitLabel);
    const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId });
    const form = h('form', {
      method: 'dialog',
      onsubmit: async (ev) => {
        ev.preventDefault();
        error.textContent = '';
        submit.disabled = true;
        try {
          if ((await onSubmit(form)) !== false) dialog.close('ok');
        } catch (e) {
          error.textContent = e.message;
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h2', { id: titleId }, title),
    body,
    error,
    h('div', { class: 'dialog-actions' },
      h('button', { class: 'btn', type: 'button', onclick: () => dialog.close('cancel') }, t('dialog.cancel')),
      submit));
    dialog.append(form);
    dialog.addEventListener('close', () => {
      dialog.remove();
      back?.focus?.();
      resolve(dialog.returnValue === 'ok');
    });
    document.body.append(dialog);
    dialog.showModal();
    (form.querySelector('[autofocus]') || form.querySelector('input, select, textarea, button'))?.focus();
  });
}

/** A yes/no question; resolves to true on confirm. */
export function confirmDialog(text, confirmLabel = t('dialog.confirm')) {
  return formDialog({ title: text, body: null, submitLabel: confirmLabel, onSubmit: () => true });
}
