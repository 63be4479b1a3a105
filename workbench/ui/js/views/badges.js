// Small marks used in several places: the channel badge, the status chip.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { channelType } from '../format.js';

export function channelBadge(type) {
  const ct = channelType(type);
  return h('span', { class: `badge badge--${ct}`, dataset: { channel: ct } }, t(`channel.${ct}`));
}

export function statusChip(status) {
  if (!status) return null;
  return h('span', { class: `chip chip--${status}`, dataset: { status } }, t(`status.${status}`));
}
