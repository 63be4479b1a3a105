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

// Where a field's value lives in the channel JSON: ['config', key] or the
// dotted target ('config.imap.url' -> ['config', 'imap', 'url']).
function fieldPath(f) {
  return f.target === 'config' ? ['config', f.key] : f.target.split('.');
}

function setPath(obj, path, v) {
  let at = obj;
  for (const p of path.slice(0, -1)) at = at[p] ??= {};
  at[path[path.length - 1]] = v;
}

function getPath(obj, path) {
  let at = obj;
  for (const p of path) at = at == null ? undefined : at[p];
  return at;
}

function deletePath(obj, path) {
  const parent = getPath(obj, path.slice(0, -1));
  if (parent && typeof parent === 'object') delete parent[path[path.length - 1]];
}

// The field's value as the API takes it, or undefined when the form leaves
// it out (empty, an unticked box, or a field only meaningful next to an empty one).
function apiValue(f, values) {
  let v = values[f.key];
  if (typeof v === 'string') v = v.trim();
  if (v === '' || v === undefined || v === null || (f.kind === 'checkbox' && !v)) return undefined;
  if (f.with && !String(values[f.with] || '').trim()) return undefined;
  if (f.list) v = splitLines(v);
  if (f.kind === 'number') v = Number(v);
  return v;
}

/** The POST /v1/admin/channels body for the form's values. */
export function channelBody(type, values) {
  const body = { type, name: String(values.name).trim(), config: {} };
  for (const f of CHANNEL_FORMS[type] || []) {
    const v = apiValue(f, values);
    if (v !== undefined) setPath(body, fieldPath(f), v);
  }
  return body;
}

/**
 * The edit form's starting values for a channel as GET /v1/admin/channels/{id}
 * answers it. Secret fields start empty: the API never returns a typed
 * password into config, and an empty secret field means "keep it".
 */
export function formValues(type, ch) {
  const values = { name: ch.name || '' };
  for (const f of CHANNEL_FORMS[type] || []) {
    if (f.kind === 'password') { values[f.key] = ''; continue; }
    const v = getPath(ch, fieldPath(f));
    if (f.kind === 'checkbox') values[f.key] = Boolean(v);
    else if (f.list) values[f.key] = Array.isArray(v) ? v.join('\n') : '';
    else values[f.key] = v === undefined || v === null ? (f.value ?? '') : String(v);
  }
  return values;
}

/**
 * The PATCH /v1/admin/channels/{id} body for an edit: the channel's config as
 * stored (settings the form does not show, such as the poll interval, stay),
 * with every form field set from the form or removed when emptied. A typed
 * secret replaces the stored one; an empty one keeps it. Emptying an email
 * channel's IMAP or SMTP URL removes that whole block (stop polling / no
 * replies), not just its URL.
 */
export function channelPatch(type, ch, values) {
  const body = { name: String(values.name).trim(), config: structuredClone(ch.config || {}) };
  for (const f of CHANNEL_FORMS[type] || []) {
    const path = fieldPath(f);
    const v = apiValue(f, values);
    if (v !== undefined) setPath(body, path, v);
    else if (f.kind !== 'password') deletePath(body, path);
  }
  for (const block of ['imap', 'smtp']) {
    const b = body.config[block];
    if (b && typeof b === 'object' && !b.url) delete body.config[block];
  }
  return body;
}

/**
 * Whether POST /v1/admin/channels/{id}/test has anything to try for this
 * channel: mail servers, WeChat's API, or a webhook channel's outbound URL.
 */
export function canTestConnection(ch) {
  if (ch.type === 'wechat_mp' || ch.type === 'wecom' || ch.type === 'email') return true;
  return ch.type === 'webhook' && Boolean(ch.config?.outbound_url);
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
