// Labelled form controls for the admin dialogs.
import { h } from '../../dom.js';

let serial = 0;

/** A label + control pair for a .form-grid; returns [label, control] and the control. */
export function field(label, control) {
  const id = control.id || `f-${++serial}`;
  control.id = id;
  return [h('label', { for: id }, label), control];
}

export function input(name, value = '', attrs = {}) {
  return h('input', { name, value: value ?? '', ...attrs });
}

export function select(name, options, value, attrs = {}) {
  return h('select', { name, ...attrs }, options.map(([v, text]) => h('option', { value: v, selected: String(v) === String(value) }, text)));
}

/** Comma-separated words as a list (ASCII and Chinese commas). */
export function words(text) {
  return [...new Set(String(text || '').split(/[,，]/).map((s) => s.trim()).filter(Boolean))];
}
