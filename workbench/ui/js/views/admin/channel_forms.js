// What the admin fills in to create each type of channel, the checks made
// before anything is sent (the server checks again; its message is shown
// when it refuses), and what to show once the channel exists. Pure data and
// functions: node's test runner checks the validation.

const ALNUM = /^[A-Za-z0-9]+$/;
const HTTP_URL = /^https?:\/\/[^\s?#]+$/;

const text = (key, opts = {}) => ({ key, kind: 'text', ...opts });
const secret = (key, opts = {}) => ({ key, kind: 'password', ...opts });

const wechatCommon = [
  secret('token', { target: 'config', check: (v) => (v && !(ALNUM.test(v) && v.length >= 3 && v.length <= 32) ? 'invalid.token' : null) }),
  secret('encoding_aes_key', { target: 'config', check: (v) => (v && !(ALNUM.test(v) && v.length === 43) ? 'invalid.aesKey' : null) }),
  text('api_base', { target: 'config', advanced: true, check: (v) => (v && !HTTP_URL.test(v) ? 'invalid.url' : null) }),
];

export const CHANNEL_FORMS = {
  wechat_mp: [
    text('app_id', { target: 'config', required: true, check: (v) => (!ALNUM.test(v) || v.length > 64 ? 'invalid.alnum' : null) }),
    secret('app_secret', { target: 'config' }),
    { key: 'mode', kind: 'select', target: 'config', options: ['safe', 'compatible', 'plain'], value: 'safe' },
    ...wechatCommon,
  ],
  wecom: [
    text('corp_id', { target: 'config', required: true, check: (v) => (!ALNUM.test(v) || v.length > 64 ? 'invalid.alnum' : null) }),
    secret('secret', { target: 'config' }),
    text('open_kfid', { target: 'config' }),
    ...wechatCommon,
  ],
  email: [
    text('address', { target: 'config', required: true, check: (v) => (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) ? 'invalid.email' : null) }),
    text('display_name', { target: 'config' }),
    text('imap_url', { target: 'config.imap.url', placeholder: 'imaps://imap.example.com/INBOX', check: (v) => (v && !/^imaps?:\/\/\S+$/.test(v) ? 'invalid.imapUrl' : null) }),
    text('imap_username', { target: 'config.imap.username' }),
    secret('imap_password', { target: 'config.imap.password' }),
    text('smtp_url', { target: 'config.smtp.url', placeholder: 'smtps://smtp.example.com:465', check: (v) => (v && !/^smtps?:\/\/\S+$/.test(v) ? 'invalid.smtpUrl' : null) }),
    text('smtp_username', { target: 'config.smtp.username' }),
    secret('smtp_password', { target: 'config.smtp.password' }),
    { key: 'smtp_starttls', kind: 'select', target: 'config.smtp.starttls', options: ['required', 'if_available', 'off'], value: 'required', raw: true, with: 'smtp_url' },
  ],
  web: [
    {
      key: 'allowed_origins',
      kind: 'textarea',
      target: 'config',
      list: true,
      placeholder: 'https://shop.example',
      check: (v) => {
        for (const o of splitLines(v)) if (!/^https?:\/\/[^/\s?#]+$/.test(o)) return ['invalid.origin', o];
        return null;
      },
    },
  ],
  app: [
    { key: 'require_identity', kind: 'checkbox', target: 'config' },
  ],
  webhook: [
    text('outbound_url', { target: 'config', check: (v) => (v && !HTTP_URL.test(v) ? 'invalid.url' : null) }),
    {
      key: 'timestamp_tolerance_s',
      kind: 'number',
      target: 'config',
      placeholder: '300',
      check: (v) => (v !== '' && !(Number.isInteger(Number(v)) && Number(v) >= 1 && Number(v) <= 86400) ? ['invalid.range', '', 1, 86400] : null),
    },
  ],
};

export function splitLines(v) {
  return String(v || '').split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
}

/**
 * Checks the form's values ({name, <field key>: string|boolean}); returns the
 * errors as [{key, message: [i18n key, ...params]}] (empty when fine).
 */
export function validateChannel(type, values) {
  const errors = [];
  const name = String(values.name || '').trim();
  if (!name) errors.push({ key: 'name', message: ['admin.required'] });
  else if (name.length > 200) errors.push({ key: 'name', message: ['invalid.length', 200] });
  for (const f of CHANNEL_FORMS[type] || []) {
    const v = typeof values[f.key] === 'string' ? values[f.key].trim() : values[f.key];
    if (f.required && !v) {
      errors.push({ key: f.key, message: ['admin.required'] });
      continue;
    }
    const bad = v && f.check ? f.check(v) : null;
    if (bad) errors.push({ key: f.key, message: Array.isArray(bad) ? bad : [bad] });
  }
  return errors;
}

/** The POST /v1/admin/channels body for the form's values. */
export function channelBody(type, values) {
  const body = { type, name: String(values.name).trim(), config: {} };
  for (const f of CHANNEL_FORMS[type] || []) {
    let v = values[f.key];
    if (typeof v === 'string') v = v.trim();
    if (v === '' || v === undefined || v === null || (f.kind === 'checkbox' && !v)) continue;
    if (f.with && !String(values[f.with] || '').trim()) continue; // only meaningful next to that field
    if (f.list) v = splitLines(v);
    if (f.kind === 'number') v = Number(v);
    const path = f.target === 'config' ? ['config', f.key] : f.target.split('.');
    let at = body;
    for (const p of path.slice(0, -1)) at = at[p] ??= {};
    at[path[path.length - 1]] = v;
  }
  return body;
}

/** The secrets an admin may regenerate (never the ones they brought, such as an AppSecret). */
export const ROTATABLE = {
  wechat_mp: ['token', 'encoding_aes_key'],
  wecom: ['token', 'encoding_aes_key'],
  webhook: ['secret'],
  app: ['identity_secret'],
  email: ['signing_secret'],
  web: [],
};

/**
 * What to paste elsewhere once the channel exists: [{label key, value, multiline?}].
 * base: the gateway's public URL (for relative URLs and the widget's src).
 */
export function channelOutputs(ch, base) {
  const abs = (u) => (u && u.startsWith('/') ? base + u : u);
  const s = ch.secrets || {};
  const out = [];
  if (ch.type !== 'web' && ch.type !== 'app') out.push({ label: 'channels.inboundUrl', value: abs(ch.inbound_url) });
  if (ch.type === 'wechat_mp' || ch.type === 'wecom') {
    if (s.token) out.push({ label: 'channels.token', value: s.token });
    if (s.encoding_aes_key) out.push({ label: 'channels.aesKey', value: s.encoding_aes_key });
  }
  if (ch.type === 'web' && ch.key) {
    out.push({ label: 'channels.embed', value: embedSnippet(base, ch.key), multiline: true, hint: 'channels.embedHint' });
  }
  if (ch.type === 'app') {
    if (ch.key) out.push({ label: 'channels.appKey', value: ch.key });
    if (s.identity_secret) out.push({ label: 'channels.identitySecret', value: s.identity_secret });
  }
  if (ch.type === 'webhook' && s.secret) out.push({ label: 'channels.webhookSecret', value: s.secret });
  if (ch.type === 'email' && s.signing_secret) out.push({ label: 'channels.signingSecret', value: s.signing_secret });
  return out;
}

/** The widget's one-tag embed (adapters/web/widget/widget.js reads data-channel). */
export function embedSnippet(base, key) {
  return `<script src="${base}/widget.js" data-channel="${key}" async></script>`;
}
