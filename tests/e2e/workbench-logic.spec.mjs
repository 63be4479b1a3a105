// The workbench's pure logic (workbench/ui/js), in node without a browser:
// the timeline's dedupe and gap detection that resync relies on, the
// reconnect backoff, canned-response queries, channel form validation and
// the embed snippet, reading the API's JSON, unread counts, and the i18n tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const ui = new URL('../../workbench/ui/js/', import.meta.url);
const { Timeline } = await import(new URL('timeline.js', ui));
const { backoffDelay } = await import(new URL('realtime.js', ui));
const { cannedQuery } = await import(new URL('views/composer.js', ui));
const forms = await import(new URL('views/admin/channel_forms.js', ui));
const fmt = await import(new URL('format.js', ui));
const { readStats } = await import(new URL('views/dashboard.js', ui));
const { _tables } = await import(new URL('i18n.js', ui));
const { PendingAttachments, uploadError } = await import(new URL('attachments.js', ui));
const { WorkbenchState } = await import(new URL('workbench_state.js', ui));

const msg = (seq, extra = {}) => ({ id: 100 + seq, seq, conversation_id: 7, direction: 'in', parts: [{ type: 'text', text: `m${seq}` }], ...extra });

test('timeline keeps every message once, in seq order, whatever order they come in', () => {
  const tl = new Timeline(7);
  assert.equal(tl.merge([msg(1), msg(2)]).length, 2);
  assert.equal(tl.merge([msg(2), msg(1)]).length, 0, 'a replay adds nothing');
  tl.merge([msg(4)]);
  assert.equal(tl.contiguous, 2);
  assert.equal(tl.gap, true, 'seq 3 is missing');
  tl.merge([msg(3), msg(4)]);
  assert.equal(tl.contiguous, 4);
  assert.equal(tl.gap, false);
  assert.deepEqual(tl.items().map((m) => m.seq), [1, 2, 3, 4]);
});

test('timeline delivery state only moves forward', () => {
  const tl = new Timeline(7);
  tl.merge([msg(1, { direction: 'out', delivery_status: 'pending' })]);
  assert.equal(tl.pendingDeliveries().length, 1);
  tl.merge([msg(1, { direction: 'out', delivery_status: 'sent' })]);
  tl.merge([msg(1, { direction: 'out', delivery_status: 'pending' })]); // an older copy
  assert.equal(tl.items()[0].delivery_status, 'sent');
  assert.equal(tl.pendingDeliveries().length, 0);
});

test('message.updated sets the delivery state as it is now, a retry included', () => {
  const tl = new Timeline(7);
  tl.merge([msg(1), msg(2, { direction: 'out', delivery_status: 'pending' })]);
  assert.equal(tl.applyUpdate({ id: 102, conversation_id: 7, seq: 2, delivery_status: 'failed', delivery_error: 'receiver answered 422' }), true);
  assert.equal(tl.byId(102).delivery_status, 'failed');
  assert.equal(tl.byId(102).delivery_error, 'receiver answered 422');
  assert.equal(tl.byId(102).parts[0].text, 'm2', 'only the delivery state changes');
  // Sent again: back to pending with the error gone (merge alone would refuse that).
  tl.byId(102).retrying = true;
  assert.equal(tl.applyUpdate({ id: 102, seq: 2, delivery_status: 'pending' }), true);
  assert.equal(tl.byId(102).delivery_status, 'pending');
  assert.equal('delivery_error' in tl.byId(102), false);
  assert.equal(tl.byId(102).retrying, undefined);
  assert.equal(tl.pendingDeliveries().length, 1);
  tl.applyUpdate({ id: 102, seq: 2, delivery_status: 'sent' });
  assert.equal(tl.items()[1].delivery_status, 'sent');
  assert.equal(tl.pendingDeliveries().length, 0);
  // A message not loaded yet: nothing changes, the caller catches up.
  assert.equal(tl.applyUpdate({ id: 103, seq: 3, delivery_status: 'sent' }), false);
  assert.equal(tl.applyUpdate({ id: 999, seq: 1, delivery_status: 'sent' }), false, 'a seq that holds another message');
  assert.equal(tl.items().length, 2);
});

test('a local reply is replaced by its stored copy, whichever arrives first', () => {
  const tl = new Timeline(7);
  tl.addLocal({ client_msg_id: 'c1', parts: [{ type: 'text', text: 'hi' }], direction: 'out' });
  assert.equal(tl.items().length, 1);
  assert.equal(tl.items()[0].local, true);
  // The hub's event first (external_id carries the client_msg_id) ...
  tl.merge([msg(1, { direction: 'out', external_id: 'agent:3:c1', delivery_status: 'pending' })]);
  assert.equal(tl.items().length, 1);
  assert.equal(tl.items()[0].local, undefined);
  // ... then the POST answer: still one.
  tl.settleLocal('c1', msg(1, { direction: 'out', external_id: 'agent:3:c1', delivery_status: 'pending' }));
  assert.equal(tl.items().length, 1);
  tl.addLocal({ client_msg_id: 'c2', parts: [{ type: 'text', text: 'again' }], direction: 'out' });
  tl.failLocal('c2', 'store unavailable');
  assert.equal(tl.items()[1].state, 'error');
});

test('reconnect backoff grows to 15 s with jitter', () => {
  assert.equal(backoffDelay(0, () => 0.5), 500);
  assert.equal(backoffDelay(3, () => 0.5), 4000);
  assert.equal(backoffDelay(20, () => 0.5), 15000);
  assert.ok(backoffDelay(0, () => 0) >= 350 && backoffDelay(0, () => 1) <= 650);
});

test('canned query: /shortcode, a CJK character, or a Latin word of two letters', () => {
  assert.deepEqual(cannedQuery('/shi'), { q: 'shi', from: 0, shortcode: true });
  assert.deepEqual(cannedQuery('好的 发'), { q: '发', from: 3, shortcode: false });
  assert.equal(cannedQuery('a'), null);
  assert.deepEqual(cannedQuery('line one\nre'), { q: 're', from: 9, shortcode: false });
  assert.equal(cannedQuery('/two words'), null);
  assert.equal(cannedQuery('trailing space '), null);
});

test('channel forms validate before sending and build the API body', () => {
  const keys = (errs) => errs.map((e) => `${e.key}:${e.message[0]}`);
  assert.deepEqual(keys(forms.validateChannel('wechat_mp', { name: '', app_id: '' })), ['name:admin.required', 'app_id:admin.required']);
  assert.deepEqual(keys(forms.validateChannel('wechat_mp', { name: 'A', app_id: 'wx-1', encoding_aes_key: 'short', api_base: 'ftp://x' })),
    ['app_id:invalid.alnum', 'encoding_aes_key:invalid.aesKey', 'api_base:invalid.url']);
  assert.deepEqual(forms.validateChannel('wechat_mp', { name: 'A', app_id: 'wx1', encoding_aes_key: 'a'.repeat(43) }), []);
  assert.deepEqual(keys(forms.validateChannel('web', { name: 'Site', allowed_origins: 'https://ok.example\nhttps://bad.example/path' })), ['allowed_origins:invalid.origin']);
  assert.deepEqual(keys(forms.validateChannel('webhook', { name: 'W', timestamp_tolerance_s: '0' })), ['timestamp_tolerance_s:invalid.range']);
  assert.deepEqual(keys(forms.validateChannel('email', { name: 'E', address: 'nope' })), ['address:invalid.email']);

  assert.deepEqual(forms.channelBody('web', { name: ' Site ', allowed_origins: 'https://a.example\n https://b.example ' }),
    { type: 'web', name: 'Site', config: { allowed_origins: ['https://a.example', 'https://b.example'] } });
  assert.deepEqual(forms.channelBody('email', { name: 'E', address: 's@x.example', imap_url: 'imaps://h/INBOX', imap_password: 'pw', smtp_url: '', smtp_starttls: 'required' }),
    { type: 'email', name: 'E', config: { address: 's@x.example', imap: { url: 'imaps://h/INBOX', password: 'pw' } } });
  assert.deepEqual(forms.channelBody('email', { name: 'E', address: 's@x.example', smtp_url: 'smtp://h:25', smtp_starttls: 'off' }).config.smtp,
    { url: 'smtp://h:25', starttls: 'off' });
  assert.deepEqual(forms.channelBody('app', { name: 'A', require_identity: false }), { type: 'app', name: 'A', config: {} });
});

test('editing a channel keeps hidden settings and stored secrets, and empties what was cleared', () => {
  // As GET /v1/admin/channels/{id} answers: passwords live in secrets, never in config.
  const ch = {
    id: 4, type: 'email', name: 'Mail',
    config: {
      address: 's@x.example', plus_addressing: true, reopen_window_days: 30,
      imap: { url: 'imaps://h/INBOX', username: 'u', starttls: 'required', poll_interval_seconds: 60 },
      smtp: { url: 'smtp://h:587/x.example', username: 'u', starttls: 'if_available' },
    },
    secrets: { imap_password: 'old', smtp_password: 'old', signing_secret: 'k' },
  };
  const values = forms.formValues('email', ch);
  assert.equal(values.imap_url, 'imaps://h/INBOX');
  assert.equal(values.smtp_starttls, 'if_available');
  assert.equal(values.imap_password, '', 'secrets are never put back into the form');
  assert.deepEqual(forms.channelPatch('email', ch, values).config, ch.config, 'an untouched form changes nothing');

  const edited = forms.channelPatch('email', ch, { ...values, name: ' Mail 2 ', imap_password: 'new', display_name: 'Shop' });
  assert.equal(edited.name, 'Mail 2');
  assert.equal(edited.config.imap.password, 'new');
  assert.equal(edited.config.imap.poll_interval_seconds, 60, 'a setting the form does not show stays');
  assert.equal(edited.config.display_name, 'Shop');
  assert.equal(edited.config.smtp.password, undefined, 'an empty secret field keeps the stored secret');
  assert.equal(ch.config.imap.password, undefined, 'the channel object itself is not changed');

  const noImap = forms.channelPatch('email', ch, { ...values, imap_url: '' });
  assert.equal(noImap.config.imap, undefined, 'clearing the IMAP URL stops polling: the whole block goes');
  assert.ok(noImap.config.smtp);

  const web = { type: 'web', name: 'Site', config: { allowed_origins: ['https://a.example'], key: 'wk_1' } };
  const webValues = forms.formValues('web', web);
  assert.equal(webValues.allowed_origins, 'https://a.example');
  assert.deepEqual(forms.channelPatch('web', web, { ...webValues, allowed_origins: 'https://a.example\nhttps://b.example' }).config,
    { allowed_origins: ['https://a.example', 'https://b.example'], key: 'wk_1' });

  assert.equal(forms.canTestConnection({ type: 'email', config: {} }), true);
  assert.equal(forms.canTestConnection({ type: 'wecom', config: {} }), true);
  assert.equal(forms.canTestConnection({ type: 'webhook', config: {} }), false);
  assert.equal(forms.canTestConnection({ type: 'webhook', config: { outbound_url: 'https://x.example/h' } }), true);
  assert.equal(forms.canTestConnection({ type: 'web', config: {} }), false);
});

test('after creation: webhook URL, token and AES key for WeChat; the embed tag for web', () => {
  const base = 'https://support.example';
  const wx = forms.channelOutputs({ type: 'wechat_mp', inbound_url: '/v1/hooks/T', secrets: { token: 'tok', encoding_aes_key: 'k'.repeat(43) } }, base);
  assert.deepEqual(wx.map((o) => [o.label, o.value]), [['channels.inboundUrl', `${base}/v1/hooks/T`], ['channels.token', 'tok'], ['channels.aesKey', 'k'.repeat(43)]]);
  const web = forms.channelOutputs({ type: 'web', key: 'wk_1', inbound_url: '/v1/hooks/X' }, base);
  assert.deepEqual(web.map((o) => o.value), [`<script src="${base}/widget.js" data-channel="wk_1" async></script>`]);
  const app = forms.channelOutputs({ type: 'app', key: 'ak_1', secrets: { identity_secret: 's' } }, base);
  assert.deepEqual(app.map((o) => o.label), ['channels.appKey', 'channels.identitySecret']);
});

test('conversation fields read from nested objects or plain ids', () => {
  // The shape of gateway/store/conversation_view.cpp's to_json.
  const nested = fmt.conversationView({ id: 5, status: 'queued', priority: 2, tags: ['vip'], contact: { id: 9, name: '李雷' },
    channel: { id: 3, type: 'wechat_mp', name: '公众号' }, assignee: 4, team: null, last_seq: 7, first_response_breached: true,
    offer: { agent: 4, expires_at: 'E' } });
  assert.equal(nested.channelType, 'wechat_mp');
  assert.equal(nested.contactName, '李雷');
  assert.equal(nested.assigneeId, 4);
  assert.equal(nested.teamId, null);
  assert.equal(nested.slaBreached, true);
  assert.deepEqual(nested.offer, { agent: 4, expires_at: 'E' });
  assert.equal(fmt.conversationView({ id: 5, channel: { type: 'wechat' } }).channelType, 'wechat_mp', 'the input alias');
  const flat = fmt.conversationView({ id: 5, channel_id: 3, contact_id: 9, assignee_id: 4 }, new Map([[3, { id: 3, type: 'email' }]]));
  assert.equal(flat.channelType, 'email');
  assert.equal(flat.contactId, 9);
  assert.equal(flat.assigneeId, 4);
  assert.equal(fmt.conversationView({ id: 1 }).assigneeId, null);
});

test('waiting time, safe URLs, previews', () => {
  const t = (k, p) => `${k}:${p.n}`;
  assert.equal(fmt.duration(45_000, t), 'time.s:45');
  assert.equal(fmt.duration(3 * 3600e3 + 5, t), 'time.h:3');
  const queued = fmt.conversationView({ id: 1, status: 'queued', queued_at: 'Q', last_message: { seq: 3, direction: 'in', created_at: 'L' } });
  assert.equal(fmt.waitingSince(queued, null), 'Q', 'queued: since entering the queue');
  const assigned = fmt.conversationView({ id: 1, status: 'assigned', queued_at: 'Q', last_message: { seq: 3, direction: 'in', created_at: 'L' } });
  assert.equal(fmt.waitingSince(assigned, null), 'L', 'assigned: since the unanswered message');
  assert.equal(fmt.waitingSince(assigned, { seq: 4, direction: 'out' }), null, 'a newer reply (live) ends the wait');
  assert.equal(fmt.waitingSince(assigned, { seq: 2, direction: 'out' }), 'L', 'an older message does not');
  assert.equal(fmt.waitingSince(fmt.conversationView({ id: 1, status: 'resolved', last_message: { direction: 'in' } }), null), null);
  assert.equal(fmt.previewOf({ seq: 3, direction: 'in', preview: '[image]' }), '[image]');
  assert.equal(fmt.safeUrl('javascript:alert(1)'), null);
  assert.equal(fmt.safeUrl('https://a.example/x'), 'https://a.example/x');
  assert.equal(fmt.safeUrl('/v1/files/abc'), '/v1/files/abc');
  assert.equal(fmt.safeUrl('//evil.example'), null);
  assert.equal(fmt.mediaUrl({ extra: { sha256: 'a'.repeat(64) } }), `/v1/files/${'a'.repeat(64)}`);
  assert.equal(fmt.mediaUrl({ name: '发票 1.pdf', extra: { sha256: 'b'.repeat(64) } }, { inline: true }),
    `/v1/files/${'b'.repeat(64)}?name=%E5%8F%91%E7%A5%A8+1.pdf&disposition=inline`);
  assert.equal(fmt.mediaUrl({ name: 'a.pdf', extra: { sha256: 'c'.repeat(64) } }, { conversation: 42 }),
    `/v1/files/${'c'.repeat(64)}?conversation=42&name=a.pdf`);
  assert.equal(fmt.previewOf({ parts: [{ type: 'image', name: 'p.jpg' }] }), '[image] p.jpg');
});

test('dashboard reads GET /v1/stats', () => {
  // The shape of gateway/http/queue_routes.cpp's GET /v1/stats.
  const s = readStats({ queue: { length: 3, longest_wait_s: 90, by_team: [] }, agents_online: 2,
    first_response: { today: 4, average_s: 40 }, messages_per_minute: { web: 1.25, wechat_mp: 4 }, messages_last_15_min: { web: 19 } });
  assert.deepEqual(s, { queue: 3, longestWaitS: 90, agentsOnline: 2, firstResponseS: 40, perChannel: [{ type: 'web', value: 1.3 }, { type: 'wechat_mp', value: 4 }] });
  assert.equal(readStats({ first_response: { average_s: null } }).firstResponseS, null, 'no first response yet today');
  assert.equal(readStats({}).agentsOnline, null);
});

test('reply attachments: uploaded at once, sent in order, failures explained', async () => {
  const answers = new Map();
  const upload = (file) => new Promise((resolve, reject) => answers.set(file.name, { resolve, reject }));
  const pending = new PendingAttachments(upload);
  let changes = 0;
  pending.addEventListener('change', () => changes++);
  const done = pending.add([{ name: 'a.pdf', size: 10, type: 'application/pdf' }, { name: 'big.zip', size: 5 << 20 }, { name: 'c.png', size: 3 }]);
  assert.equal(pending.items.length, 3);
  assert.equal(pending.uploading, true, 'a reply waits while files upload');
  assert.deepEqual(pending.parts(), []);
  const part = (name) => ({ type: name.endsWith('.png') ? 'image' : 'file', name, extra: { sha256: name } });
  answers.get('c.png').resolve({ part: part('c.png') }); // answers may come in any order
  answers.get('a.pdf').resolve({ part: part('a.pdf') });
  answers.get('big.zip').reject(Object.assign(new Error('Payload Too Large'), { status: 413 }));
  await done;
  assert.equal(pending.uploading, false);
  assert.equal(pending.failed, true);
  assert.deepEqual(pending.parts().map((p) => p.name), ['a.pdf', 'c.png'], 'the order the files were picked in');
  assert.deepEqual(pending.items[1].error, { key: 'attach.tooLarge', params: { name: 'big.zip' } });
  pending.remove(pending.items[1].key);
  assert.equal(pending.failed, false);
  assert.ok(changes >= 4);

  // An answer without a part is a failure, not a silent empty attachment;
  // a file removed while uploading never comes back.
  const odd = new PendingAttachments(async () => ({}));
  await odd.add([{ name: 'x', size: 1 }]);
  assert.equal(odd.items[0].state, 'failed');
  const gone = new PendingAttachments(() => new Promise((r) => setTimeout(() => r({ part: part('y') }), 10)));
  const later = gone.add([{ name: 'y', size: 1 }]);
  gone.remove(gone.items[0].key);
  await later;
  assert.equal(gone.empty, true);
  assert.deepEqual(gone.parts(), []);

  assert.deepEqual(uploadError({ status: 0, message: 'network' }, 'n'), { key: 'attach.network', params: { name: 'n' } });
  assert.deepEqual(uploadError({ status: 400, message: 'name: required' }, 'n'), { key: 'attach.failed', params: { name: 'n', reason: 'name: required' } });
  assert.equal(fmt.fileSize(512), '512 B');
  assert.equal(fmt.fileSize(1536), '1.5 KB');
  assert.equal(fmt.fileSize(5 << 20), '5.0 MB');
  assert.equal(fmt.fileSize(undefined), '0 B');
});

test('the inbox reads vip and priority', () => {
  const v = fmt.conversationView({ id: 1, vip: true, priority: 5 });
  assert.equal(v.vip, true);
  assert.equal(v.priority, 5);
  assert.equal(fmt.conversationView({ id: 2 }).vip, false);
  // The contact panel's own reading of attributes matches the server's rule.
  for (const vip of [true, 1, 'gold', 'yes']) assert.equal(fmt.isVip({ vip }), true, `vip: ${vip}`);
  for (const vip of [false, 0, '', 'false', '0', 'no', null]) assert.equal(fmt.isVip({ vip }), false, `vip: ${vip}`);
  assert.equal(fmt.isVip({ tier: 'basic' }), false, 'only the vip attribute counts');
  assert.equal(fmt.isVip(null), false);
});

test('unread: the server\'s count, live customer messages once each, my marks and my other tabs', () => {
  const s = new WorkbenchState({ id: 1 });
  s.upsert({ id: 7, status: 'assigned', last_seq: 3, read_seq: 1, unread: 2 });
  assert.equal(s.unread(7), 2);
  s.onMessage(7, msg(4));
  assert.equal(s.unread(7), 3, 'a customer message is news');
  s.onMessage(7, msg(4));
  assert.equal(s.unread(7), 3, 'the same message again (a resync overlap) is not counted twice');
  s.onMessage(7, msg(5, { direction: 'out', sender: { type: 'agent', id: '2' } }));
  assert.equal(s.unread(7), 3, "a colleague's reply is not the customer's news");
  s.markRead(7, 5);
  assert.equal(s.unread(7), 0);
  assert.equal(s.conversations.get(7).read_seq, 5);
  s.markRead(7, 2);
  assert.equal(s.conversations.get(7).read_seq, 5, 'a mark never moves back');
  s.onMessage(7, msg(6));
  assert.equal(s.unread(7), 1);
  s.onFrame({ type: 'conversation.read', conversation: 7, read_seq: 6 });
  assert.equal(s.unread(7), 0, 'read in my other tab');
  s.onMessage(7, msg(7, { direction: 'out', sender: { type: 'agent', id: '1' } }));
  assert.equal(s.conversations.get(7).read_seq, 7, 'my own reply marks the conversation read');
  s.upsert({ id: 7, status: 'assigned', last_seq: 9, read_seq: 7, unread: 2 });
  assert.equal(s.unread(7), 2, "the server's count wins when the inbox is read again");
});

test('every string exists in both languages', () => {
  const en = Object.keys(_tables.en).sort();
  const zh = Object.keys(_tables['zh-CN']).sort();
  assert.deepEqual(zh, en);
  for (const [k, v] of Object.entries(_tables.en)) {
    const params = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join();
    assert.equal(params(_tables['zh-CN'][k]), params(v), `placeholders of ${k}`);
  }
});
