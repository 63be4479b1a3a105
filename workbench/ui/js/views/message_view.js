// One message in the conversation: who, when, its parts (text, image, file,
// audio, video, location, link, event), and for the agent's replies the
// delivery state with the failure reason and a way to send it again.
import { h } from '../dom.js';
import { session } from '../api.js';
import { t, has as hasString, language } from '../i18n.js';
import { clock, fileSize, mediaUrl, safeUrl } from '../format.js';
import { icon } from '../icons.js';

/**
 * m: a stored message or a local one ({local: true, state, error}).
 * ctx: {me, visitorRead, onResend(m), onRetryLocal(m)}
 */
export function messageView(m, ctx) {
  const kind = m.direction === 'note' || m.private ? 'note'
    : m.direction === 'out' ? 'out'
    : m.direction === 'system' ? 'system'
    : 'in';
  const attrs = {
    class: `msg msg--${kind}${m.local ? ' msg--local' : ''}`,
    dataset: { seq: m.seq ?? '', id: m.id ?? '', status: deliveryState(m), kind },
  };
  if (kind === 'system') {
    return h('li', attrs, h('div', { class: 'msg-system' }, parts(m.parts || [], m.conversation_id), ' · ', h('time', { datetime: m.created_at }, clock(m.created_at, language()))));
  }
  return h('li', attrs,
    h('div', { class: 'msg-meta' },
      h('span', { class: 'msg-who' }, senderName(m, ctx.me)),
      kind === 'note' ? h('span', { class: 'chip chip--note' }, t('conv.note')) : null,
      h('time', { datetime: m.created_at || '' }, m.created_at ? clock(m.created_at, language()) : '')),
    h('div', { class: 'msg-bubble' }, parts(m.parts || [], m.conversation_id)),
    kind === 'out' || (kind === 'note' && m.local) ? delivery(m, ctx) : null);
}

function senderName(m, me) {
  const s = m.sender || {};
  if (m.local || (s.type === 'agent' && String(s.id) === String(me.id))) return t('conv.you');
  if (s.name) return s.name;
  return s.type === 'bot' ? t('conv.bot') : s.type === 'system' ? t('conv.system') : t('conv.customer');
}

function deliveryState(m) {
  if (m.local) return m.state === 'error' ? 'error' : 'sending';
  return m.delivery_status || 'none';
}

function delivery(m, ctx) {
  const state = deliveryState(m);
  if (state === 'none') return null;
  const read = !m.local && state === 'sent' && ctx.visitorRead >= Number(m.seq);
  const label = state === 'error' ? t('delivery.notStored', { reason: m.error || '' })
    : state === 'sending' ? t('delivery.sending')
    : read ? t('conv.read')
    : t(`delivery.${state}`);
  const el = h('div', { class: `delivery delivery--${state}`, role: state === 'failed' || state === 'error' ? 'alert' : null },
    h('span', { class: 'delivery-dot', 'aria-hidden': 'true' }),
    h('span', { class: 'delivery-label' }, label));
  if (state === 'failed') {
    if (m.delivery_error) el.append(h('span', { class: 'delivery-error' }, m.delivery_error));
    if (m.retry_error) el.append(h('span', { class: 'delivery-error' }, m.retry_error));
    // The same message goes back to the outbox (POST …/messages/{id}/retry).
    if (ctx.onRetryDelivery) {
      el.append(h('button', { class: 'btn btn--small', type: 'button', disabled: m.retrying ? true : null,
        onclick: () => ctx.onRetryDelivery(m) }, t('delivery.retry')));
    }
  }
  if (state === 'error') {
    el.append(h('button', { class: 'btn btn--small', type: 'button', onclick: () => ctx.onRetryLocal(m) }, t('delivery.retry')));
  }
  return el;
}

// Kept files open through the conversation they belong to (the gateway
// checks the agent may see it), so each part knows its conversation.
function parts(list, conversation) {
  return list.map((p) => {
    switch (p.type) {
      case 'text': return h('p', { class: 'part part--text' }, p.text || '');
      case 'image': return imagePart(p, conversation);
      case 'file': return filePart(p, 'part.file', conversation);
      case 'audio': return h('div', { class: 'part part--audio' }, mediaPlayer('audio', p, conversation), p.text ? h('p', { class: 'muted' }, p.text) : null);
      case 'video': return h('div', { class: 'part part--video' }, mediaPlayer('video', p, conversation));
      case 'location': return locationPart(p);
      case 'link': return linkPart(p);
      case 'event': return eventPart(p);
      default: return h('p', { class: 'part muted' }, `[${p.type}]`);
    }
  });
}

// Files in the gateway's own store (/v1/files/…) need the bearer token, so
// they are fetched and shown from a blob URL; other URLs load directly.
// Fetched once per page load: a re-render reuses the blob.
const blobs = new Map(); // url -> Promise<blob URL | null>
function authorizedUrl(url, apply) {
  if (!url.startsWith('/v1/')) { apply(url); return; }
  if (!blobs.has(url)) {
    blobs.set(url, fetch(url, { headers: { authorization: `Bearer ${session.token}` } })
      .then((r) => (r.ok ? r.blob() : null))
      .then((blob) => (blob ? URL.createObjectURL(blob) : null))
      .catch(() => null));
  }
  blobs.get(url).then((blobUrl) => { if (blobUrl) apply(blobUrl); });
}

function imagePart(p, conversation) {
  const url = mediaUrl(p, { inline: true, conversation });
  if (!url) return h('p', { class: 'part part--media muted' }, `${t('part.image')} ${t('part.noMedia')}`);
  const img = h('img', { class: 'part part--image', alt: p.name || t('part.image'), loading: 'lazy' });
  authorizedUrl(url, (src) => { img.src = src; });
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'part-image-link', onclick: (e) => openAuthorized(e, url, p.name) }, img);
}

function filePart(p, labelKey, conversation) {
  const url = mediaUrl(p, { conversation });
  const name = p.name || t(labelKey);
  const size = Number(p.size) > 0 ? ` · ${fileSize(p.size)}` : '';
  return h('div', { class: 'part part--file' },
    icon('clip'),
    h('span', { class: 'file-name' }, name + size),
    url
      ? h('a', { class: 'btn btn--small', href: url, download: p.name || '', rel: 'noopener noreferrer', onclick: (e) => openAuthorized(e, url, p.name, true) }, t('part.download'))
      : h('span', { class: 'muted' }, t('part.noMedia')));
}

// A click on our own file URL downloads it with the token, as a blob.
function openAuthorized(ev, url, name, download = false) {
  if (!url.startsWith('/v1/')) return;
  ev.preventDefault();
  authorizedUrl(url, (blobUrl) => {
    const a = h('a', { href: blobUrl, download: download ? name || 'file' : null, target: download ? null : '_blank', rel: 'noopener' });
    document.body.append(a);
    a.click();
    a.remove();
  });
}

function mediaPlayer(tag, p, conversation) {
  const url = mediaUrl(p, { inline: true, conversation });
  if (!url) return h('span', { class: 'muted' }, `${t(`part.${tag}`)} ${t('part.noMedia')}`);
  const el = h(tag, { controls: true, preload: 'none', class: `media media--${tag}` });
  authorizedUrl(url, (src) => { el.src = src; });
  return el;
}

function locationPart(p) {
  const lat = Number(p.latitude);
  const lon = Number(p.longitude);
  const has = Number.isFinite(lat) && Number.isFinite(lon);
  const map = has ? `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}` : null;
  return h('div', { class: 'part part--location' },
    icon('pin'),
    h('span', {}, p.label || t('part.location')),
    has ? h('span', { class: 'muted' }, ` ${lat.toFixed(5)}, ${lon.toFixed(5)}`) : null,
    map ? h('a', { href: map, target: '_blank', rel: 'noopener noreferrer', class: 'btn btn--small' }, t('part.map')) : null);
}

function linkPart(p) {
  const url = safeUrl(p.url);
  return h('div', { class: 'part part--link' },
    url ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, p.title || p.url) : h('span', {}, p.title || p.url || t('part.link')),
    p.text ? h('p', { class: 'muted' }, p.text) : null);
}

function eventPart(p) {
  const key = `event.${String(p.event || '').toLowerCase()}`;
  const label = hasString(key) ? t(key) : t('event.generic', { name: p.event || '' });
  return h('div', { class: 'part part--event' },
    icon('flag'),
    h('span', {}, label),
    p.event_key ? h('code', {}, p.event_key) : null,
    p.text ? h('span', { class: 'muted' }, ` ${p.text}`) : null);
}

