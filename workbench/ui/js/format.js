// Reading the API's JSON for display: durations, times, channel types and
// the conversation fields. Pure functions (node tests them); strings come
// from i18n via the `t` passed in.

export const CHANNEL_TYPES = ['wechat_mp', 'wecom', 'email', 'web', 'app', 'webhook'];

/** "wechat" is an input alias of "wechat_mp" (schema/channel.cpp). */
export function channelType(type) {
  if (type === 'wechat') return 'wechat_mp';
  return CHANNEL_TYPES.includes(type) ? type : 'unknown';
}

/** Compact duration: 45s, 12m, 3h, 2d. */
export function duration(ms, t) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return t('time.s', { n: s });
  if (s < 3600) return t('time.m', { n: Math.floor(s / 60) });
  if (s < 86400) return t('time.h', { n: Math.floor(s / 3600) });
  return t('time.d', { n: Math.floor(s / 86400) });
}

/** Local clock time for today, else the date. */
export function clock(iso, lang, now = new Date()) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay
    ? d.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString(lang, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

const idOrNull = (v) => (v === null || v === undefined ? null : Number(v));

/**
 * The conversation's fields as the views use them, from the JSON of
 * GET /v1/conversations (gateway/store/conversation_view.cpp: contact {id,name},
 * channel {id,type,name}, assignee and team as ids or null, last_message,
 * queued_at, offer, SLA flags). channelsById fills in the channel from
 * channel_id for JSON without the channel object.
 */
export function conversationView(c, channelsById = new Map()) {
  const channel = c.channel && typeof c.channel === 'object' ? c.channel : channelsById.get(Number(c.channel_id)) || null;
  const contact = c.contact && typeof c.contact === 'object' ? c.contact : null;
  return {
    id: Number(c.id),
    channelId: Number(channel?.id ?? c.channel_id),
    channelType: channelType(channel?.type),
    channelName: channel?.name || '',
    contactId: Number(contact?.id ?? c.contact_id) || null,
    contactName: contact?.name || '',
    vip: Boolean(c.vip),
    status: c.status || '',
    priority: Number(c.priority) || 0,
    tags: Array.isArray(c.tags) ? c.tags : [],
    assigneeId: idOrNull(c.assignee ?? c.assignee_id),
    teamId: idOrNull(c.team ?? c.team_id),
    lastSeq: Number(c.last_seq) || 0,
    lastMessageAt: c.last_message_at || c.updated_at || c.created_at || '',
    // The customer waits since entering the queue; once assigned, since
    // their last message when it is still unanswered.
    queuedAt: c.status === 'queued' ? c.queued_at || null : null,
    lastMessage: c.last_message || null,
    preview: previewOf(c.last_message),
    offer: c.offer || null,
    slaBreached: Boolean(c.first_response_breached || c.resolution_breached),
  };
}

/**
 * The contact's vip attribute marks a VIP: true, a non-zero number, or a tier
 * name other than "", "false", "0" and "no" (gateway/store/vip.h, the rule
 * routing and the conversation JSON's "vip" use; the tag "vip" counts there too).
 */
export function isVip(attrs) {
  const v = attrs && typeof attrs === 'object' ? attrs.vip : undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return !['', 'false', '0', 'no'].includes(v);
  return false;
}

/** One line of text for a message (or a last_message summary). */
export function previewOf(m) {
  if (!m) return '';
  if (typeof m === 'string') return m;
  if (typeof m.preview === 'string') return m.preview; // the inbox's last_message summary
  if (typeof m.text === 'string' && !m.parts) return m.text;
  const parts = Array.isArray(m.parts) ? m.parts : [];
  const text = parts.filter((p) => p.type === 'text' && p.text).map((p) => p.text).join(' ');
  if (text) return text;
  const first = parts[0];
  if (!first) return '';
  return `[${first.type}]${first.name ? ` ${first.name}` : first.title ? ` ${first.title}` : ''}`;
}

/** The plain text of a message's text parts. */
export function textOf(m) {
  return (Array.isArray(m?.parts) ? m.parts : []).filter((p) => p.type === 'text').map((p) => p.text || '').join('\n');
}

/**
 * Since when the customer has waited for an answer: queued_at while queued,
 * else the newest message when it is theirs (the freshest one known: a live
 * event or the inbox's last_message). null when nobody waits.
 */
export function waitingSince(view, lastMessage) {
  if (view.status === 'resolved' || view.status === 'snoozed') return null;
  if (view.queuedAt) return view.queuedAt;
  const last = [lastMessage, view.lastMessage].filter(Boolean).sort((a, b) => Number(b.seq || 0) - Number(a.seq || 0))[0];
  if (last && last.direction === 'in') return last.created_at || view.lastMessageAt;
  return null;
}

/** Whether a link part's URL is safe to open (http, https, mailto). */
export function safeUrl(url) {
  if (typeof url !== 'string' || !url) return null;
  if (url.startsWith('/') && !url.startsWith('//')) return url; // this gateway
  try {
    const u = new URL(url, 'http://invalid.local');
    return ['http:', 'https:', 'mailto:'].includes(u.protocol) && !url.startsWith('//') ? u.href : null;
  } catch {
    return null;
  }
}

/**
 * Media URL for a part: its url, or the gateway's file store for the bytes
 * it keeps (extra.sha256; GET /v1/files/{sha256}?conversation=&name=&disposition=inline:
 * agents fetch a file through the conversation it belongs to).
 */
export function mediaUrl(part, { inline = false, conversation = null } = {}) {
  if (part.url) return safeUrl(part.url);
  const sha = part.sha256 || part.extra?.sha256;
  if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)) return null;
  const q = new URLSearchParams();
  if (conversation != null) q.set('conversation', String(conversation));
  if (part.name) q.set('name', part.name);
  if (inline) q.set('disposition', 'inline');
  const s = q.toString();
  return `/v1/files/${sha}${s ? `?${s}` : ''}`;
}

/** A byte count for people: "512 B", "1.5 KB", "2.0 MB". */
export function fileSize(n) {
  const bytes = Math.max(0, Number(n) || 0);
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
