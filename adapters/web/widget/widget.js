/*! omnigate web chat widget
 *
 * Embed with one tag (the gateway serves this file at /widget.js):
 *   <script src="https://GATEWAY/widget.js" data-channel="CHANNEL_KEY" async></script>
 *
 * Optional attributes on that tag:
 *   data-ws-url    realtime base or full endpoint (default: same host as this script,
 *                  port = its port + 1, path /v1/ws/visitor)
 *   data-title     panel title (default by navigator.language: 在线客服 / Chat with us)
 *   data-subtitle  line under the title
 *   data-greeting  first bubble shown before any message
 *   data-name      the visitor's display name, sent in hello
 *   data-lang      "zh" or "en" (default from navigator.language)
 *   data-color     accent color (any CSS color)
 *   data-position  "left" to put the launcher bottom-left
 *   data-css       stylesheet URL, or "none" when the host page styles the widget itself
 *                  (default: widget.css next to this script)
 *
 * Protocol: JSON text frames on ws(s)://HOST:RTPORT/v1/ws/visitor?channel=KEY
 * (hello / welcome / send / ack / message / typing / read / error).
 * No dependencies, no build step; every piece of text from the network is
 * written with textContent or as attribute values, never as HTML.
 */
(() => {
  'use strict';

  if (window.OmnigateWidget && window.OmnigateWidget.version) return; // loaded twice

  const VERSION = '1';
  const script = document.currentScript ||
    document.querySelector('script[data-channel][src*="widget.js"]');
  if (!script || !script.dataset.channel) {
    console.warn('[omnigate] widget.js needs a data-channel attribute on its <script> tag');
    return;
  }
  const cfg = script.dataset;
  const CHANNEL = cfg.channel;
  const SRC = new URL(script.src || location.href, location.href);

  // ---------------------------------------------------------------- settings

  const LANG = (cfg.lang || navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en';
  const STRINGS = {
    en: {
      title: 'Chat with us', subtitle: 'We usually reply in a few minutes',
      greeting: 'Hi! How can we help you today?', placeholder: 'Type a message…',
      send: 'Send', open: 'Open chat', close: 'Close chat', messages: 'Messages',
      unread: (n) => (n === 1 ? '1 unread message' : `${n} unread messages`),
      sending: 'Sending…', sent: 'Sent', failed: 'Not sent', retry: 'Retry',
      connecting: 'Connecting…', reconnecting: 'Reconnecting…', offline: 'You are offline',
      unavailable: 'Chat is unavailable right now',
      typing: (who) => `${who} is typing…`, agent: 'Support', you: 'You',
      queued: (n, min) => `You are number ${n} in line` + (min ? ` · about ${min} min` : ''),
      image: 'Image', file: 'File', audio: 'Voice message', video: 'Video', location: 'Location',
      attachment: 'Attachment',
    },
    zh: {
      title: '在线客服', subtitle: '我们通常会在几分钟内回复',
      greeting: '您好！请问有什么可以帮您？', placeholder: '输入消息…',
      send: '发送', open: '打开在线客服', close: '关闭对话', messages: '消息',
      unread: (n) => `${n} 条未读消息`,
      sending: '发送中…', sent: '已发送', failed: '发送失败', retry: '重试',
      connecting: '正在连接…', reconnecting: '正在重新连接…', offline: '网络已断开',
      unavailable: '客服暂时不可用',
      typing: (who) => `${who} 正在输入…`, agent: '客服', you: '我',
      queued: (n, min) => `正在排队，您是第 ${n} 位` + (min ? ` · 预计 ${min} 分钟` : ''),
      image: '图片', file: '文件', audio: '语音', video: '视频', location: '位置',
      attachment: '附件',
    },
  };
  const S = STRINGS[LANG];

  const MAX_TEXT = 4000;         // characters per message
  const MAX_CACHED = 200;        // messages kept in localStorage for the transcript
  const ACK_TIMEOUT = 15000;     // a send without an ack after this is shown as failed
  const BACKOFF_BASE = 1000;
  const BACKOFF_CAP = 30000;
  const OUTBOX_TTL = 24 * 3600 * 1000;
  const PING_EVERY = 30000;      // while the page is visible: detect a dead socket (sleep, NAT)
  const PONG_WAIT = 10000;
  // error codes that a retry cannot fix: the message stays failed until Retry
  const PERMANENT = new Set(['bad_request', 'bad_frame', 'too_large', 'message_too_large', 'forbidden']);
  const PHONE = window.matchMedia('(max-width: 479.98px)');

  function wsEndpoint() {
    let u;
    if (cfg.wsUrl) {
      u = new URL(cfg.wsUrl, SRC);
      if (u.protocol === 'http:') u.protocol = 'ws:';
      if (u.protocol === 'https:') u.protocol = 'wss:';
      if (!/\/v1\/ws\/visitor\/?$/.test(u.pathname)) u.pathname = u.pathname.replace(/\/+$/, '') + '/v1/ws/visitor';
    } else {
      u = new URL(SRC.href);
      const secure = SRC.protocol === 'https:';
      const port = Number(SRC.port || (secure ? 443 : 80));
      u.protocol = secure ? 'wss:' : 'ws:';
      u.port = String(port + 1);
      u.pathname = '/v1/ws/visitor';
      u.search = '';
    }
    u.hash = '';
    u.searchParams.set('channel', CHANNEL);
    return u.href;
  }
  const WS_URL = wsEndpoint();

  // ---------------------------------------------------------------- helpers

  function uuid() {
    if (window.crypto && crypto.randomUUID) {
      try { return crypto.randomUUID(); } catch (_) { /* insecure context */ }
    }
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function el(tag, cls, attrs) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (attrs) for (const k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  function icon(cls, paths) {
    const s = document.createElementNS(SVG_NS, 'svg');
    s.setAttribute('viewBox', '0 0 24 24');
    s.setAttribute('aria-hidden', 'true');
    s.setAttribute('focusable', 'false');
    s.setAttribute('class', cls);
    for (const d of paths) {
      const p = document.createElementNS(SVG_NS, 'path');
      p.setAttribute('d', d);
      s.appendChild(p);
    }
    return s;
  }
  const ICON_CHAT = ['M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.5.4-1.3.1-1.3-.6V16H6.5A2.5 2.5 0 0 1 4 13.5z'];
  const ICON_DOWN = ['M6 9l6 6 6-6'];
  const ICON_CLOSE = ['M6 6l12 12', 'M18 6L6 18'];
  const ICON_SEND = ['M4 12l16-8-6 16-2.5-6.5z', 'M11.5 13.5L20 4'];

  // Only http(s) (and mailto for links); relative URLs resolve against the gateway.
  function safeUrl(raw, allowMailto) {
    if (typeof raw !== 'string' || !raw) return null;
    try {
      const u = new URL(raw, SRC);
      if (u.protocol === 'http:' || u.protocol === 'https:') return u.href;
      if (allowMailto && u.protocol === 'mailto:') return u.href;
    } catch (_) { /* not a URL */ }
    return null;
  }

  function anchor(href, text, cls) {
    const a = el('a', cls || 'ogw-a', { href, target: '_blank', rel: 'noopener noreferrer nofollow' });
    a.textContent = text;
    return a;
  }

  const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
  const TRAILING = /[.,;:!?)\]}'"’”。，；：！？）】》]+$/;
  function appendLinkified(parent, text) {
    let last = 0;
    URL_RE.lastIndex = 0;
    for (let m; (m = URL_RE.exec(text));) {
      let url = m[0];
      const trail = url.match(TRAILING);
      if (trail) url = url.slice(0, -trail[0].length);
      const href = safeUrl(url);
      if (!href || !url) continue;
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      parent.appendChild(anchor(href, url));
      last = m.index + url.length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function parseTime(s) {
    if (!s) return null;
    const d = new Date(String(s).replace(/(\.\d{3})\d+/, '$1')); // Safari: at most 3 fraction digits
    return isNaN(d) ? null : d;
  }
  function formatTime(d) {
    if (!d) return '';
    const now = new Date();
    const t = d.toLocaleTimeString(LANG === 'zh' ? 'zh-CN' : undefined, { hour: '2-digit', minute: '2-digit' });
    if (d.toDateString() === now.toDateString()) return t;
    return `${d.toLocaleDateString(LANG === 'zh' ? 'zh-CN' : undefined, { month: 'short', day: 'numeric' })} ${t}`;
  }

  const convOut = (id) => (/^\d+$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : id);

  // ---------------------------------------------------------------- storage
  // One JSON record per channel: the visitor id, per conversation the last
  // seq received and the last seq read, a bounded transcript (so a page
  // change shows the conversation at once) and the unacknowledged outbox.
  // Writes merge with what another tab may have written meanwhile.

  const STORE_KEY = `omnigate.widget.v1.${CHANNEL}`;
  let memStore = null;
  function readStore() {
    try {
      const raw = window.localStorage.getItem(STORE_KEY);
      return raw ? JSON.parse(raw) : null;
    } catch (_) {
      return memStore;
    }
  }
  function writeStore(obj) {
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(obj));
    } catch (_) {
      memStore = obj;
    }
  }

  const stored = readStore() || {};
  const state = {
    visitor: typeof stored.visitor === 'string' && stored.visitor ? stored.visitor : uuid(),
    convs: {},   // id -> { last, read }
  };
  for (const [id, c] of Object.entries(stored.convs || {})) {
    state.convs[id] = { last: Number(c.last) || 0, read: Number(c.read) || 0 };
  }

  const messages = new Map(); // "conv:seq" -> msg (confirmed)
  const pending = new Map();  // client_msg_id -> msg (not yet acknowledged)
  const acked = new Set();    // client_msg_ids confirmed in this page

  function conv(id) {
    id = String(id);
    return state.convs[id] || (state.convs[id] = { last: 0, read: 0 });
  }

  function serialize(m) {
    const o = {
      conversation: m.conversation, seq: m.seq, id: m.id, direction: m.direction,
      sender: m.sender, parts: m.parts, created_at: m.created_at,
    };
    if (m.client_msg_id) o.client_msg_id = m.client_msg_id;
    return o;
  }
  const cmpStored = (a, b) => (Number(a.conversation) - Number(b.conversation)) || (a.seq - b.seq);

  let persistTimer = 0;
  function persistSoon() {
    if (!persistTimer) persistTimer = setTimeout(persist, 30);
  }
  function persist() {
    clearTimeout(persistTimer);
    persistTimer = 0;
    const cur = readStore() || {};
    const out = { visitor: cur.visitor || state.visitor, convs: {}, messages: [], outbox: [] };
    for (const src of [cur.convs || {}, state.convs]) {
      for (const [id, c] of Object.entries(src)) {
        const o = out.convs[id] || (out.convs[id] = { last: 0, read: 0 });
        o.last = Math.max(o.last, Number(c.last) || 0);
        o.read = Math.max(o.read, Number(c.read) || 0);
      }
    }
    const byKey = new Map();
    for (const m of cur.messages || []) if (m && m.seq) byKey.set(`${m.conversation}:${m.seq}`, m);
    for (const m of messages.values()) byKey.set(m.key, serialize(m));
    out.messages = [...byKey.values()].sort(cmpStored).slice(-MAX_CACHED);
    const confirmed = new Set(acked);
    for (const m of out.messages) if (m.client_msg_id) confirmed.add(m.client_msg_id);
    const box = new Map();
    const now = Date.now();
    for (const o of cur.outbox || []) if (o && o.client_msg_id) box.set(o.client_msg_id, o);
    for (const m of pending.values()) box.set(m.client_msg_id, { client_msg_id: m.client_msg_id, text: m.parts[0].text, t: m.t });
    for (const [id, o] of box) if (!confirmed.has(id) && now - (o.t || 0) < OUTBOX_TTL) out.outbox.push(o);
    writeStore(out);
  }

  // ---------------------------------------------------------------- model

  function fromWire(convId, m) {
    const dir = m.direction || 'out';
    const stype = (m.sender && m.sender.type) || (dir === 'in' ? 'contact' : 'agent');
    // Our own messages carry the client_msg_id we chose: as client_msg_id, or
    // inside the stored external_id ("v:<visitor>:<client_msg_id>").
    let cid = typeof m.client_msg_id === 'string' ? m.client_msg_id : '';
    if (!cid && dir === 'in' && typeof m.external_id === 'string') {
      const prefix = `v:${state.visitor}:`;
      cid = m.external_id.startsWith(prefix) ? m.external_id.slice(prefix.length) : m.external_id;
    }
    return {
      key: `${convId}:${Number(m.seq)}`,
      conversation: String(convId),
      seq: Number(m.seq),
      id: m.id,
      direction: dir,
      sender: { type: stype, name: (m.sender && typeof m.sender.name === 'string') ? m.sender.name : '' },
      parts: Array.isArray(m.parts) ? m.parts : [],
      created_at: typeof m.created_at === 'string' ? m.created_at : '',
      client_msg_id: cid || undefined,
    };
  }
  function kindOf(m) {
    if (m.direction === 'in') return 'mine';
    if (m.direction === 'system' || m.sender.type === 'system') return 'system';
    return 'theirs';
  }

  // ---------------------------------------------------------------- DOM

  const root = el('div', 'omnigate-widget');
  root.hidden = true; // until the stylesheet has loaded
  root.setAttribute('lang', LANG === 'zh' ? 'zh-CN' : 'en');
  if (cfg.position === 'left') root.classList.add('ogw-left');
  if (cfg.color && window.CSS && CSS.supports('color', cfg.color)) root.style.setProperty('--ogw-accent', cfg.color);

  const ids = { panel: `ogw-panel-${uuid().slice(0, 8)}` };
  ids.title = `${ids.panel}-title`;
  ids.sub = `${ids.panel}-sub`;

  const launcher = el('button', 'ogw-launcher', {
    type: 'button', 'aria-expanded': 'false', 'aria-controls': ids.panel, 'aria-label': S.open,
  });
  launcher.appendChild(icon('ogw-icon ogw-icon-chat', ICON_CHAT));
  launcher.appendChild(icon('ogw-icon ogw-icon-down', ICON_DOWN));
  const badge = el('span', 'ogw-badge', { 'aria-hidden': 'true' });
  badge.hidden = true;
  launcher.appendChild(badge);

  const panel = el('section', 'ogw-panel', {
    id: ids.panel, role: 'dialog', 'aria-labelledby': ids.title, 'aria-describedby': ids.sub,
  });
  const header = el('header', 'ogw-header');
  const headText = el('div', 'ogw-head-text');
  const title = el('h2', 'ogw-title', { id: ids.title });
  title.textContent = cfg.title || S.title;
  const sub = el('p', 'ogw-subtitle', { id: ids.sub, role: 'status' });
  const dot = el('span', 'ogw-dot', { 'aria-hidden': 'true' });
  const subText = el('span', 'ogw-subtitle-text');
  sub.append(dot, subText);
  headText.append(title, sub);
  const closeBtn = el('button', 'ogw-close', { type: 'button', 'aria-label': S.close, title: S.close });
  closeBtn.appendChild(icon('ogw-icon', ICON_CLOSE));
  header.append(headText, closeBtn);

  const log = el('div', 'ogw-log', { role: 'log', 'aria-live': 'polite', 'aria-label': S.messages, tabindex: '0' });
  const greeting = el('div', 'ogw-msg ogw-msg--theirs ogw-greeting ogw-first ogw-last');
  const greetBubble = el('div', 'ogw-bubble');
  greetBubble.textContent = cfg.greeting || S.greeting;
  greeting.appendChild(greetBubble);
  log.appendChild(greeting);

  const typingEl = el('div', 'ogw-typing'); // last child of the log, after every message
  typingEl.hidden = true;
  const dots = el('span', 'ogw-dots', { 'aria-hidden': 'true' });
  dots.append(el('i'), el('i'), el('i'));
  const typingText = el('span', 'ogw-typing-text');
  typingEl.append(dots, typingText);

  const form = el('form', 'ogw-composer', { novalidate: '' });
  const input = el('textarea', 'ogw-input', {
    rows: '1', maxlength: String(MAX_TEXT), placeholder: S.placeholder, 'aria-label': S.placeholder,
    autocomplete: 'off', enterkeyhint: 'send',
  });
  const sendBtn = el('button', 'ogw-send', { type: 'submit', 'aria-label': S.send, title: S.send });
  sendBtn.appendChild(icon('ogw-icon', ICON_SEND));
  form.append(input, sendBtn);

  log.appendChild(typingEl);
  panel.append(header, log, form);
  root.append(panel, launcher);

  // ---------------------------------------------------------------- rendering

  const order = []; // displayed messages, sorted
  const elements = new Map(); // msg -> element

  function sortKey(m) {
    return m.seq ? [Number(m.conversation), m.seq] : [Infinity, m.t || 0];
  }
  function before(a, b) {
    const x = sortKey(a), y = sortKey(b);
    return x[0] !== y[0] ? x[0] < y[0] : x[1] < y[1];
  }

  function renderParts(box, parts) {
    let any = false;
    for (const p of parts) {
      if (!p || typeof p !== 'object') continue;
      const type = p.type || 'text';
      if (type === 'event') continue;
      any = true;
      if (type === 'text') {
        const t = el('div', 'ogw-text');
        appendLinkified(t, String(p.text || ''));
        box.appendChild(t);
      } else if (type === 'link') {
        const href = safeUrl(p.url, true);
        const card = el('div', 'ogw-link');
        const label = String(p.title || p.url || S.attachment);
        card.appendChild(href ? anchor(href, label, 'ogw-a ogw-link-title') : document.createTextNode(label));
        if (p.text) {
          const d = el('div', 'ogw-link-desc');
          d.textContent = String(p.text);
          card.appendChild(d);
        }
        box.appendChild(card);
      } else if (type === 'image' && safeUrl(p.url)) {
        const href = safeUrl(p.url);
        const a = el('a', 'ogw-image', { href, target: '_blank', rel: 'noopener noreferrer nofollow' });
        const img = el('img', '', { src: href, alt: String(p.name || S.image), loading: 'lazy', referrerpolicy: 'no-referrer' });
        a.appendChild(img);
        box.appendChild(a);
      } else {
        const names = { image: S.image, file: S.file, audio: S.audio, video: S.video, location: S.location };
        let label = names[type] || S.attachment;
        const extra = p.name || p.label || (type === 'audio' ? p.text : '');
        if (extra) label += `: ${extra}`;
        const href = safeUrl(p.url);
        const chip = el('div', 'ogw-chip');
        chip.appendChild(href ? anchor(href, label) : document.createTextNode(`[${label}]`));
        box.appendChild(chip);
      }
    }
    return any;
  }

  function buildElement(m) {
    const kind = kindOf(m);
    const e = el('div', `ogw-msg ogw-msg--${kind}`);
    const who = el('span', 'ogw-sr');
    if (kind === 'mine') who.textContent = `${S.you}: `;
    else if (kind === 'theirs') who.textContent = `${m.sender.name || S.agent}: `;
    e.appendChild(who);
    if (kind === 'theirs') {
      const name = el('div', 'ogw-sender', { 'aria-hidden': 'true' });
      name.textContent = m.sender.name || S.agent;
      e.appendChild(name);
    }
    const bubble = el('div', 'ogw-bubble');
    if (!renderParts(bubble, m.parts)) return null;
    e.appendChild(bubble);
    if (kind !== 'system') {
      const meta = el('div', 'ogw-meta');
      const time = el('time', 'ogw-time');
      const d = parseTime(m.created_at);
      if (d) time.dateTime = d.toISOString();
      time.textContent = formatTime(d || new Date());
      meta.appendChild(time);
      if (kind === 'mine') {
        meta.appendChild(el('span', 'ogw-state'));
        const retry = el('button', 'ogw-retry', { type: 'button' });
        retry.textContent = S.retry;
        retry.addEventListener('click', () => retrySend(m));
        meta.appendChild(retry);
      }
      e.appendChild(meta);
    }
    return e;
  }

  function setStatus(m) {
    const e = elements.get(m);
    if (!e || kindOf(m) !== 'mine') return;
    const status = m.status || 'sent';
    e.dataset.status = status;
    const st = e.querySelector('.ogw-state');
    st.textContent = status === 'sending' ? S.sending : status === 'failed' ? S.failed : S.sent;
  }

  function sameGroup(a, b) {
    if (!a || !b) return false;
    const ka = kindOf(a);
    if (ka !== kindOf(b)) return false;
    return ka !== 'theirs' || a.sender.name === b.sender.name;
  }
  function regroup(i) {
    for (let j = Math.max(0, i - 1); j <= Math.min(order.length - 1, i + 1); j++) {
      const e = elements.get(order[j]);
      e.classList.toggle('ogw-first', !sameGroup(order[j - 1], order[j]));
      e.classList.toggle('ogw-last', !sameGroup(order[j], order[j + 1]));
    }
  }
  let lastMineEl = null;
  function markLastMine() {
    let found = null;
    for (let j = order.length - 1; j >= 0; j--) if (kindOf(order[j]) === 'mine') { found = elements.get(order[j]); break; }
    if (found === lastMineEl) return;
    if (lastMineEl) lastMineEl.classList.remove('ogw-last-mine');
    if (found) found.classList.add('ogw-last-mine');
    lastMineEl = found;
  }

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }
  function scrollToBottom() {
    log.scrollTop = log.scrollHeight;
  }

  // Insert (or move) a message into its place in the list.
  function place(m, { scroll } = {}) {
    const stick = nearBottom();
    let e = elements.get(m);
    const at = order.indexOf(m);
    if (at >= 0) order.splice(at, 1);
    if (!e) {
      e = buildElement(m);
      if (!e) return;
      elements.set(m, e);
    }
    let i = order.length;
    while (i > 0 && before(m, order[i - 1])) i--;
    order.splice(i, 0, m);
    const next = order[i + 1];
    const nextEl = next ? elements.get(next) : null;
    const after = nextEl || typingEl;
    if (e.nextSibling !== after) log.insertBefore(e, after);
    if (at >= 0 && at !== i) regroup(Math.min(at, order.length - 1));
    regroup(i);
    setStatus(m);
    markLastMine();
    if (scroll || stick) scrollToBottom();
  }
  function unplace(m) {
    const at = order.indexOf(m);
    if (at < 0) return;
    order.splice(at, 1);
    const e = elements.get(m);
    if (e) e.remove();
    elements.delete(m);
    if (order.length) regroup(Math.min(at, order.length - 1));
    markLastMine();
  }

  // ---------------------------------------------------------------- unread / read

  let isOpen = false;
  const readSent = {}; // conv -> seq sent in a read frame on this connection

  function unreadCount() {
    let n = 0;
    for (const m of order) {
      if (m.seq && kindOf(m) !== 'mine' && m.seq > conv(m.conversation).read) n++;
    }
    return n;
  }
  function updateBadge() {
    const n = isOpen ? 0 : unreadCount();
    badge.hidden = n === 0;
    badge.textContent = n > 9 ? '9+' : String(n);
    launcher.setAttribute('aria-label', n ? `${isOpen ? S.close : S.open} (${S.unread(n)})` : (isOpen ? S.close : S.open));
  }
  function markRead() {
    if (!isOpen || document.visibilityState !== 'visible') return;
    let changed = false;
    for (const m of order) {
      if (!m.seq) continue;
      const c = conv(m.conversation);
      if (m.seq > c.read) { c.read = m.seq; changed = true; }
    }
    if (changed) persistSoon();
    sendReads();
    updateBadge();
  }
  function sendReads() {
    if (!welcomed) return;
    for (const [id, c] of Object.entries(state.convs)) {
      if (c.read > 0 && c.read > (readSent[id] || 0)) {
        if (!sendFrame({ type: 'read', conversation: convOut(id), seq: c.read })) return;
        readSent[id] = c.read;
      }
    }
  }

  // ---------------------------------------------------------------- typing

  let typingTimer = 0;
  function showTyping(on, who) {
    clearTimeout(typingTimer);
    typingEl.hidden = !on;
    if (on) {
      const stick = nearBottom();
      typingText.textContent = S.typing(who || S.agent);
      typingTimer = setTimeout(() => { typingEl.hidden = true; }, 8000); // a lost "off" never sticks
      if (stick) scrollToBottom();
    }
  }

  let myTyping = false, myTypingAt = 0, myTypingIdle = 0;
  function typingInput() {
    if (!welcomed) return;
    const has = input.value.trim() !== '';
    clearTimeout(myTypingIdle);
    if (!has) return stopTyping();
    const now = Date.now();
    if (!myTyping || now - myTypingAt > 4000) {
      sendFrame({ type: 'typing', on: true });
      myTyping = true;
      myTypingAt = now;
    }
    myTypingIdle = setTimeout(stopTyping, 5000);
  }
  function stopTyping() {
    clearTimeout(myTypingIdle);
    if (myTyping && welcomed) sendFrame({ type: 'typing', on: false });
    myTyping = false;
  }

  // ---------------------------------------------------------------- connection

  let ws = null;
  let welcomed = false;
  let wanted = false;      // connect only once the visitor has something to talk about
  let attempt = 0;
  let retryTimer = 0;
  let welcomedAt = 0;
  let everWelcomed = false;
  let refused = false;     // the hub answered hello with an error: wait for the visitor to act
  let pingTimer = 0;
  let pongTimer = 0;
  let queued = null;       // {position, minutes} while the conversation waits for an agent (a `queue` frame)

  function connStatus() {
    let text = cfg.subtitle || S.subtitle;
    let st = 'online';
    if (!navigator.onLine) { text = S.offline; st = 'offline'; }
    else if (refused && !welcomed) { text = S.unavailable; st = 'offline'; }
    else if (wanted && !welcomed) { text = everWelcomed ? S.reconnecting : S.connecting; st = 'connecting'; }
    else if (!wanted) st = 'idle';
    else if (queued) text = S.queued(queued.position, queued.minutes);
    subText.textContent = text;
    root.dataset.connection = st;
  }

  function want() {
    if (wanted) return;
    wanted = true;
    persistSoon(); // nothing is written to the host's storage before the visitor uses the chat
    connect();
  }

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = 0;
    if (!wanted || ws) return;
    connStatus();
    if (navigator.onLine === false) { // wait for the `online` event (and retry slowly in case it never comes)
      retryTimer = setTimeout(() => { retryTimer = 0; connect(); }, BACKOFF_CAP);
      return;
    }
    let sock;
    try {
      sock = new WebSocket(WS_URL);
    } catch (e) {
      console.warn('[omnigate] cannot open the chat connection:', e && e.message);
      return scheduleReconnect();
    }
    ws = sock;
    setTimeout(() => { if (sock === ws && !welcomed) abandon(4002, 'no welcome'); }, 15000);
    sock.onopen = () => {
      const hello = {
        type: 'hello', channel: CHANNEL, visitor: state.visitor, last_seq: {},
        page_url: location.href, language: navigator.language || '',
      };
      for (const [id, c] of Object.entries(state.convs)) hello.last_seq[id] = c.last;
      if (cfg.name) hello.name = cfg.name;
      sock.send(JSON.stringify(hello));
    };
    sock.onmessage = (ev) => {
      if (sock !== ws || typeof ev.data !== 'string') return;
      clearTimeout(pongTimer); // any frame is a sign of life
      pongTimer = 0;
      let f;
      try { f = JSON.parse(ev.data); } catch (_) { return; }
      if (f && typeof f === 'object') handle(f);
    };
    sock.onclose = () => closed(sock);
    sock.onerror = () => { /* onclose follows */ };
  }

  // The socket is gone (or given up on): clean up, then reconnect with backoff.
  function closed(sock) {
    if (sock !== ws) return;
    ws = null;
    const wasWelcomed = welcomed;
    welcomed = false;
    myTyping = false;
    showTyping(false);
    for (const k in readSent) delete readSent[k];
    stopKeepalive();
    if (wasWelcomed && Date.now() - welcomedAt > 10000) attempt = 0; // it was healthy
    connStatus();
    scheduleReconnect();
  }
  function abandon(code, reason) {
    const sock = ws;
    if (!sock) return;
    try { sock.close(code, reason); } catch (_) { /* ignore */ }
    closed(sock); // without waiting for a close handshake that may never finish
  }

  function scheduleReconnect() {
    if (!wanted || retryTimer || refused) return;
    const ceiling = Math.min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt);
    const delay = ceiling / 2 + Math.random() * ceiling / 2; // "equal jitter"
    attempt = Math.min(attempt + 1, 16);
    retryTimer = setTimeout(() => { retryTimer = 0; connect(); }, delay);
  }

  function reconnectNow() {
    attempt = 0;
    refused = false;
    if (ws && ws.readyState === WebSocket.OPEN && welcomed) return ping(); // still alive?
    if (ws && ws.readyState === WebSocket.CONNECTING) return;
    if (ws) abandon(4001, 'reconnect');
    clearTimeout(retryTimer);
    retryTimer = 0;
    connect();
  }

  // The hub pings too (and drops silent peers), but a browser learns of a dead
  // socket only when it writes: while the page is visible, ping now and then
  // and reconnect when nothing comes back.
  function startKeepalive() {
    stopKeepalive();
    if (document.visibilityState === 'visible') pingTimer = setInterval(ping, PING_EVERY);
  }
  function stopKeepalive() {
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    pingTimer = pongTimer = 0;
  }
  function ping() {
    if (!welcomed || pongTimer) return;
    if (!sendFrame({ type: 'ping' })) return;
    pongTimer = setTimeout(() => {
      pongTimer = 0;
      abandon(4000, 'no pong');
    }, PONG_WAIT);
  }

  function sendFrame(obj) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    try {
      ws.send(JSON.stringify(obj));
      return true;
    } catch (_) {
      return false;
    }
  }

  // ---------------------------------------------------------------- frames

  function handle(f) {
    switch (f.type) {
      case 'welcome': return onWelcome(f);
      case 'ack': return onAck(f);
      case 'message': return onMessage(f);
      case 'typing': return onTyping(f);
      case 'queue': return onQueue(f);
      case 'error': return onError(f);
      default: return undefined; // unknown frames are ignored
    }
  }

  function onWelcome(f) {
    welcomed = true;
    everWelcomed = true;
    refused = false;
    welcomedAt = Date.now();
    if (typeof f.visitor === 'string' && f.visitor && f.visitor !== state.visitor) {
      state.visitor = f.visitor; // the hub may canonicalize it
      persistSoon();
    }
    if (Array.isArray(f.conversations)) for (const id of f.conversations) conv(id);
    connStatus();
    startKeepalive();
    for (const m of pending.values()) transmit(m); // idempotent by client_msg_id
    sendReads();
    if (input.value.trim()) typingInput();
  }

  function advance(c, seq) {
    if (seq > c.last) { c.last = seq; persistSoon(); }
  }

  function confirm(m, convId, seq, id, created) {
    pending.delete(m.client_msg_id);
    acked.add(m.client_msg_id);
    clearTimeout(m.timer);
    const key = `${convId}:${seq}`;
    const existing = messages.get(key);
    if (existing) { // the echo arrived first
      unplace(m);
      existing.status = 'sent';
      setStatus(existing);
    } else {
      m.key = key;
      m.conversation = String(convId);
      m.seq = seq;
      m.id = id;
      if (created) m.created_at = created;
      m.status = 'sent';
      messages.set(key, m);
      place(m);
    }
    persistSoon();
  }

  function onAck(f) {
    const m = pending.get(f.client_msg_id);
    const seq = Number(f.seq);
    if (f.conversation == null || !seq) return;
    const c = conv(f.conversation);
    // An ack arrives out of band: it moves last_seq only when nothing can lie
    // between (message frames arrive in seq order, acks may overtake them).
    if (seq === c.last + 1) advance(c, seq);
    if (m) confirm(m, String(f.conversation), seq, f.id);
  }

  function onMessage(f) {
    const wire = f.message;
    if (!wire || typeof wire !== 'object') return;
    const convId = f.conversation != null ? f.conversation : wire.conversation_id;
    const seq = Number(wire.seq);
    if (convId == null || !seq) return;
    const c = conv(convId);
    advance(c, seq);
    if (wire.direction === 'note') return; // agents only; never shown
    const m = fromWire(String(convId), wire);
    if (messages.has(m.key)) return; // duplicate (replay overlap, other tab)
    const mine = m.client_msg_id && pending.get(m.client_msg_id);
    if (mine) return confirm(mine, m.conversation, seq, m.id, m.created_at);
    if (m.client_msg_id && m.direction === 'in') {
      // The same message under another key would be a hub bug; ignore repeats.
      for (const x of messages.values()) if (x.client_msg_id === m.client_msg_id && x.direction === 'in') return;
    }
    messages.set(m.key, m);
    if (kindOf(m) === 'mine') m.status = 'sent';
    else if (m.sender.type !== 'system') showTyping(false);
    if (queued && m.sender.type === 'agent') { queued = null; connStatus(); } // someone is answering
    place(m);
    persistSoon();
    markRead();
    updateBadge();
  }

  // Where the visitor's conversation stands while it waits for an agent.
  function onQueue(f) {
    queued = f.queued && f.position > 0
      ? { position: f.position, minutes: f.estimated_wait_s > 0 ? Math.ceil(f.estimated_wait_s / 60) : 0 }
      : null;
    connStatus();
  }

  function onTyping(f) {
    showTyping(!!f.on, typeof f.who === 'string' && f.who ? f.who : '');
  }

  function onError(f) {
    const code = String(f.code || 'error');
    const m = f.client_msg_id && pending.get(f.client_msg_id);
    if (m) {
      clearTimeout(m.timer);
      m.status = 'failed';
      setStatus(m);
      if (PERMANENT.has(code)) {
        m.rejected = true; // not retried automatically; the visitor may press Retry
      } else { // e.g. store_unavailable: send it again, backing off
        m.errors = (m.errors || 0) + 1;
        m.timer = setTimeout(() => { if (pending.has(m.client_msg_id)) transmit(m); },
          Math.min(BACKOFF_CAP, BACKOFF_BASE * 2 ** m.errors));
      }
    } else if (!welcomed) {
      refused = true;
      connStatus();
    }
    console.warn(`[omnigate] ${code}: ${f.message || ''}`);
  }

  // ---------------------------------------------------------------- sending

  function transmit(m) {
    if (!welcomed || m.rejected) return;
    m.status = 'sending';
    setStatus(m);
    if (!sendFrame({ type: 'send', client_msg_id: m.client_msg_id, text: m.parts[0].text })) return;
    clearTimeout(m.timer);
    m.timer = setTimeout(() => {
      if (!pending.has(m.client_msg_id)) return;
      m.status = 'failed';
      setStatus(m);
    }, ACK_TIMEOUT);
  }

  function queue(text, cid, t) {
    const m = {
      key: `p:${cid}`, conversation: null, seq: 0, direction: 'in', sender: { type: 'contact', name: '' },
      parts: [{ type: 'text', text }], created_at: new Date(t).toISOString(), client_msg_id: cid,
      t, status: 'sending',
    };
    pending.set(cid, m);
    place(m, { scroll: true });
    return m;
  }

  function submit() {
    const text = input.value.replace(/^\s*\n|\s+$/g, '');
    if (!text.trim()) return;
    input.value = '';
    autosize();
    stopTyping();
    const m = queue(text.slice(0, MAX_TEXT), uuid(), Date.now());
    persist();
    if (welcomed) transmit(m);
    else { want(); if (!ws && wanted) reconnectNow(); }
  }

  function retrySend(m) {
    if (!pending.has(m.client_msg_id)) return;
    m.rejected = false;
    m.status = 'sending';
    setStatus(m);
    if (welcomed) transmit(m);
    else reconnectNow();
  }

  // ---------------------------------------------------------------- open / close, keyboard

  function open() {
    if (isOpen) return;
    isOpen = true;
    root.classList.add('ogw-open');
    launcher.setAttribute('aria-expanded', 'true');
    document.documentElement.classList.toggle('ogw-scroll-lock', PHONE.matches);
    if (wanted && !ws) reconnectNow(); // the visitor is here: no backoff wait
    want();
    scrollToBottom();
    markRead();
    updateBadge();
    // after the panel becomes visible (visibility transitions)
    requestAnimationFrame(() => { input.focus({ preventScroll: true }); scrollToBottom(); });
  }

  function close() {
    if (!isOpen) return;
    const hadFocus = root.contains(document.activeElement);
    isOpen = false;
    root.classList.remove('ogw-open');
    launcher.setAttribute('aria-expanded', 'false');
    document.documentElement.classList.remove('ogw-scroll-lock');
    stopTyping();
    updateBadge();
    if (hadFocus) launcher.focus();
  }

  launcher.addEventListener('click', () => (isOpen ? close() : open()));
  closeBtn.addEventListener('click', close);

  root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && isOpen) {
      e.preventDefault();
      close();
      return;
    }
    // On a phone the panel covers the page: keep Tab inside it.
    if (e.key === 'Tab' && isOpen && PHONE.matches) {
      const items = [...panel.querySelectorAll('button, textarea, a[href], [tabindex="0"]')]
        .filter((x) => !x.disabled && x.offsetParent !== null);
      if (!items.length) return;
      const first = items[0], last = items[items.length - 1];
      if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
    }
  });

  function autosize() {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 132)}px`;
  }
  input.addEventListener('input', () => { autosize(); typingInput(); });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submit();
    }
  });
  input.addEventListener('focus', want);
  form.addEventListener('submit', (e) => { e.preventDefault(); submit(); input.focus(); });

  // ---------------------------------------------------------------- environment

  window.addEventListener('online', () => { connStatus(); reconnectNow(); });
  window.addEventListener('offline', connStatus);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') {
      if (welcomed) stopKeepalive();
      return;
    }
    if (wanted && !ws) reconnectNow();
    else if (welcomed) { startKeepalive(); ping(); } // back from the background: is the socket still alive?
    markRead();
  });
  window.addEventListener('pagehide', () => { if (persistTimer) persist(); });
  window.addEventListener('pageshow', (e) => { if (e.persisted && wanted && !ws) reconnectNow(); });
  window.addEventListener('storage', (e) => {
    if (e.key !== STORE_KEY || !e.newValue) return;
    try {
      const other = JSON.parse(e.newValue);
      for (const [id, c] of Object.entries(other.convs || {})) {
        const mine = conv(id);
        mine.read = Math.max(mine.read, Number(c.read) || 0); // read in another tab
      }
      updateBadge();
    } catch (_) { /* ignore */ }
  });
  PHONE.addEventListener && PHONE.addEventListener('change', () => {
    document.documentElement.classList.toggle('ogw-scroll-lock', isOpen && PHONE.matches);
  });

  // ---------------------------------------------------------------- start

  // The transcript from earlier pages, then the unacknowledged outbox.
  for (const s of (stored.messages || [])) {
    if (!s || !s.seq || s.conversation == null) continue;
    const m = fromWire(String(s.conversation), s);
    if (m.direction === 'note' || messages.has(m.key)) continue;
    if (kindOf(m) === 'mine') m.status = 'sent';
    messages.set(m.key, m);
    place(m);
  }
  for (const o of (stored.outbox || [])) {
    if (!o || !o.client_msg_id || typeof o.text !== 'string' || Date.now() - (o.t || 0) > OUTBOX_TTL) continue;
    if ([...messages.values()].some((x) => x.client_msg_id === o.client_msg_id)) continue;
    queue(o.text, o.client_msg_id, o.t || Date.now());
  }
  updateBadge();
  connStatus();

  function mount() {
    document.body.appendChild(root);
    const show = () => { root.hidden = false; };
    if (cfg.css === 'none') return show();
    const href = new URL(cfg.css || 'widget.css', SRC);
    if (!cfg.css) href.search = SRC.search; // same version query as widget.js
    const link = el('link', '', { rel: 'stylesheet', href: href.href, 'data-omnigate-widget': '' });
    if (script.nonce) link.nonce = script.nonce;
    link.addEventListener('load', show);
    link.addEventListener('error', () => { console.warn('[omnigate] could not load', href.href); show(); });
    document.head.appendChild(link);
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });

  // History or an unsent message: connect now (agent replies, unread badge).
  if (Object.keys(state.convs).length || pending.size) want();

  window.OmnigateWidget = Object.freeze({
    version: VERSION,
    open,
    close,
    toggle: () => (isOpen ? close() : open()),
    get unread() { return unreadCount(); },
  });
})();
