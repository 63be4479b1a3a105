// Issue 7's acceptance checks of the agent workbench and admin console in
// headless Chromium against a running gateway (run_gateway_e2e.sh starts one
// with a fresh database and the users admin / agent):
//  - an agent signs in; a WeChat text message posted to the channel's webhook
//    (signed as WeChat signs it) appears in the inbox within a second with the
//    WeChat badge (and VIP and priority marks once the customer is made a VIP
//    and the conversation urgent); they open it, type "发", pick the shipping reply among the
//    canned suggestions with the keyboard and send it with Ctrl+Enter; the
//    local WeChat API stand-in receives the custom-send call; the reply shows
//    as sent; opening it clears its unread count, on the server, for this
//    agent only;
//  - the agent socket drops (cut in the browser) while messages keep coming:
//    after the reconnect every message is there exactly once, in seq order;
//  - an admin creates a web channel in the console (client-side validation
//    first), and the embed snippet it shows works on a test page on another
//    origin: the visitor's message reaches the admin's inbox;
//  - the admin's connection test on a WeChat channel names the wrong
//    AppSecret; the admin fixes it in the channel's edit form and the test
//    passes (token, then an API call with it);
//  - the same for email: a mail put into the IMAP test server's inbox comes
//    in through the channel's poll, the canned reply reaches the SMTP test
//    server in the customer's thread (with OMNIGATE_MAIL_SERVERS, the
//    og_mail_servers helper around tests/support/imap_server.h and smtp_server.h);
//    the agent attaches a file to that reply (a file over max_body_bytes is
//    refused first, with a clear message, and removed with the keyboard), and
//    the mail carries it as a MIME attachment.
// Screenshots go to the artifacts dir; any browser console error fails.
//
//   OMNIGATE_URL=http://127.0.0.1:8080 OMNIGATE_ADMIN_PASSWORD=... OMNIGATE_AGENT_PASSWORD=... \
//   node --test workbench.spec.mjs
// Optional: OMNIGATE_WORKBENCH_DIR=../../workbench/ui serves the work tree's
// UI instead of the copy embedded in the binary (no rebuild needed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { launchChromium, watchErrors, artifactDir, ROUTED_PAGE_ARGS } from './lib/browser.mjs';
import { serveWorkbenchFrom, signIn, call, loginToken } from './lib/workbench.mjs';
import { startWechatStandin, postWechatText } from './lib/wechat-standin.mjs';
import { startMailServers, plainText, header, attachments } from './lib/mail-servers.mjs';

const env = process.env;
const url = (env.OMNIGATE_URL || '').replace(/\/+$/, '');
const missing = ['OMNIGATE_URL', 'OMNIGATE_ADMIN_PASSWORD', 'OMNIGATE_AGENT_PASSWORD'].filter((k) => !env[k]);
const skip = missing.length ? `needs ${missing.join(', ')} (a running gateway)` : false;
const uiDir = env.OMNIGATE_WORKBENCH_DIR || '';
const artifacts = artifactDir();

const SHIPPING = '您好，您的订单已发货，预计 2–3 天送达。';

let browser;
let standin;
let adminToken;
let agentToken;
let wechat; // {inboundUrl, token}

before(async () => {
  if (skip) return;
  browser = await launchChromium(uiDir ? ROUTED_PAGE_ARGS : []);
  standin = await startWechatStandin();
  standin.addApp('wxe2eworkbench', 'e2e-app-secret');
  adminToken = await loginToken(url, 'admin', env.OMNIGATE_ADMIN_PASSWORD);
  agentToken = await loginToken(url, 'agent', env.OMNIGATE_AGENT_PASSWORD);

  // A WeChat Official Account channel whose API calls go to the stand-in.
  const ch = await call(url, adminToken, 'POST', '/v1/admin/channels', {
    type: 'wechat_mp',
    name: '公众号 E2E',
    config: { app_id: 'wxe2eworkbench', app_secret: 'e2e-app-secret', mode: 'plain', api_base: standin.base },
  });
  wechat = { inboundUrl: new URL(ch.inbound_url, url).href, token: ch.secrets.token };

  // The agent takes WeChat and web conversations (the router assigns to
  // online agents with room), and the canned responses the reply box offers.
  const users = await call(url, adminToken, 'GET', '/v1/admin/users');
  const agent = users.items.find((u) => u.login === 'agent');
  await call(url, adminToken, 'PATCH', `/v1/admin/users/${agent.id}`, { capacity: { wechat_mp: 20, web: 20, email: 20 } });
  for (const c of [
    { shortcode: 'invoice', title: '发票', body: '电子发票会在发货后发送到您的邮箱。' },
    { shortcode: 'ship', title: '发货通知', body: SHIPPING },
    { shortcode: 'hello', title: '问候', body: '您好，请问有什么可以帮您？' },
  ]) {
    // A second run against the same gateway finds them there already.
    const have = await call(url, adminToken, 'GET', `/v1/canned?q=${encodeURIComponent(c.shortcode)}`);
    if (!have.items.some((x) => x.shortcode === c.shortcode)) await call(url, adminToken, 'POST', '/v1/canned', { ...c, scope: 'global' });
  }
});

after(async () => {
  await browser?.close();
  await standin?.close();
});

async function workbenchPage(name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  if (uiDir) await serveWorkbenchFrom(context, url, uiDir);
  const page = await context.newPage();
  const errors = watchErrors(page, name);
  return { context, page, errors };
}

async function failureShot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}-failure.png`) }).catch(() => {});
}

const tag = () => randomUUID().slice(0, 8);

async function until(pred, what, ms = 10_000) {
  for (const end = Date.now() + ms; !pred();) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
let msgId = Date.now();
const wechatText = (openid, text) => postWechatText({ ...wechat, openid, text, msgId: String(++msgId) });

test('agent: WeChat message in the inbox within a second, canned reply sent through WeChat', { skip, timeout: 120_000 }, async () => {
  const { context, page, errors } = await workbenchPage('workbench-agent');
  try {
    await signIn(page, url, 'agent', env.OMNIGATE_AGENT_PASSWORD);
    await page.locator('.conn[data-state=open]').waitFor({ timeout: 10_000 });

    const t = tag();
    const openid = `oE2E_${t}`;
    const question = `我的订单什么时候发货？ ${t}`;
    const answer = await wechatText(openid, question);
    assert.equal(answer, 'success', 'the webhook answers WeChat at once');
    const posted = Date.now();
    const item = page.locator('.conv-item', { hasText: t });
    await item.waitFor({ timeout: 1_000 });
    assert.ok(Date.now() - posted <= 1_000, `in the inbox ${Date.now() - posted} ms after the webhook answered`);
    const badge = item.locator('.badge');
    assert.equal(await badge.getAttribute('data-channel'), 'wechat_mp');
    assert.equal(await badge.textContent(), 'WeChat');
    assert.equal(await item.locator('.unread').textContent(), '1', 'one unread message');
    // A VIP customer (the contact's vip attribute, as routing reads it) made
    // urgent: the item gets both marks live, over the hub.
    assert.equal(await item.locator('.mark').count(), 0, 'no marks for an ordinary conversation');
    const conversationId = await item.getAttribute('data-id');
    const conv = await call(url, adminToken, 'GET', `/v1/conversations/${conversationId}`);
    assert.equal(conv.vip, false);
    await call(url, adminToken, 'PATCH', `/v1/contacts/${conv.contact.id}`, { attributes: { vip: 'gold' } });
    await call(url, adminToken, 'PATCH', `/v1/conversations/${conversationId}`, { priority: 2 });
    await item.locator('.mark--vip', { hasText: 'VIP' }).waitFor({ timeout: 5_000 });
    assert.equal(await item.locator('.mark--priority').getAttribute('data-priority'), '2');
    assert.equal(await item.locator('.mark--priority').textContent(), '!!Priority 2', 'marked, and spelled out for screen readers');
    await page.screenshot({ path: path.join(artifacts, 'workbench-inbox.png') });

    await item.click();
    await page.locator('.msg--in', { hasText: question }).waitFor();
    assert.equal(await item.locator('.unread').count(), 0, 'opening it marks it read');
    // The mark is the agent's, kept on the server: any other browser shows it read too.
    let server;
    for (const end = Date.now() + 5_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      server = await call(url, agentToken, 'GET', `/v1/conversations/${conversationId}`);
      if (server.unread === 0) break;
    }
    assert.equal(server.unread, 0, 'read on the server');
    assert.ok(server.read_seq >= 1);
    assert.equal((await call(url, adminToken, 'GET', `/v1/conversations/${conversationId}`)).unread, 1, "the admin's own mark is untouched");
    const input = page.locator('.composer-input');
    await input.click();
    await input.pressSequentially('发');
    const listbox = page.locator('.canned[role=listbox]');
    await listbox.waitFor({ state: 'visible', timeout: 5_000 });
    assert.equal(await input.getAttribute('aria-expanded'), 'true');
    const options = listbox.locator('[role=option]');
    assert.ok(await options.count() >= 2, 'several canned responses match 发');
    // Arrow down to the shipping reply, then Enter picks it.
    for (let i = 0; i < 5 && (await listbox.locator('[aria-selected=true]').getAttribute('data-shortcode')) !== 'ship'; i++) {
      await input.press('ArrowDown');
    }
    assert.equal(await listbox.locator('[aria-selected=true]').getAttribute('data-shortcode'), 'ship');
    await input.press('Enter');
    assert.equal(await input.inputValue(), SHIPPING, 'the canned text replaces what was typed');
    assert.equal(await listbox.isVisible(), false);
    await input.press('Control+Enter');
    assert.equal(await input.inputValue(), '', 'sent: the box is empty again');

    const send = await standin.waitFor((r) => r.path === '/cgi-bin/message/custom/send' && r.json?.touser === openid, 'custom/send to the customer');
    assert.equal(send.json.msgtype, 'text');
    assert.equal(send.json.text.content, SHIPPING);
    assert.equal(send.answer.errcode, 0, 'the stand-in accepted it (a valid access token from /cgi-bin/token)');
    await page.locator('.msg--out[data-status=sent]', { hasText: SHIPPING }).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('.msg--out', { hasText: SHIPPING }).count(), 1, 'the reply is shown once');
    await page.screenshot({ path: path.join(artifacts, 'workbench-conversation.png') });

    // Chinese at the flick of a switch, then back.
    await page.locator('.topbar button', { hasText: '中文' }).click();
    await page.locator('.nav-link', { hasText: '会话' }).waitFor();
    assert.equal(await page.locator('.conv-item .badge', { hasText: '微信' }).first().isVisible(), true);
    await page.locator('.topbar button', { hasText: 'English' }).click();
    await page.locator('.nav-link', { hasText: 'Inbox' }).waitFor();

    assert.deepEqual(errors, [], 'no browser console errors');
  } catch (e) {
    await failureShot(page, 'workbench-agent');
    throw e;
  } finally {
    await context.close();
  }
});

test('agent socket drop: after the reconnect every message is there once, in order', { skip, timeout: 120_000 }, async () => {
  const { context, page, errors } = await workbenchPage('workbench-drop');
  // The agent socket goes through this route, so the test can cut it the way
  // a network drop does, and keep the reconnects away from the hub for a while.
  const live = [];
  let cut = false;
  const parked = [];
  await context.routeWebSocket((u) => u.pathname === '/v1/ws/agent', (ws) => {
    if (cut) { parked.push(ws); return; } // answered by nobody: the hub never sees it
    ws.connectToServer();
    live.push(ws);
  });
  try {
    await signIn(page, url, 'agent', env.OMNIGATE_AGENT_PASSWORD);
    await page.locator('.conn[data-state=open]').waitFor({ timeout: 10_000 });

    const t = tag();
    const openid = `oDrop_${t}`;
    const texts = [`第一条 ${t}`];
    await wechatText(openid, texts[0]);
    const item = page.locator('.conv-item', { hasText: t });
    await item.waitFor({ timeout: 5_000 });
    await item.click();
    await page.locator('.msg--in', { hasText: texts[0] }).waitFor();
    const conversation = Number(await item.getAttribute('data-id'));

    // The drop: the socket closes; the page's reconnect reaches nothing (it
    // is parked here, open but silent, as behind a dead NAT).
    cut = true;
    for (const ws of live.splice(0)) await ws.close({ code: 1001, reason: 'network drop' });
    await until(() => parked.length > 0, 'the page reconnects after the drop');

    // Meanwhile: the customer writes three times, the agent replies from
    // elsewhere, a colleague leaves a note, and a new customer writes.
    for (const n of ['二', '三', '四']) {
      texts.push(`第${n}条 ${t}`);
      await wechatText(openid, texts[texts.length - 1]);
    }
    const other = `another tab ${t}`;
    await call(url, agentToken, 'POST', `/v1/conversations/${conversation}/messages`, { text: other, client_msg_id: `drop-${t}` });
    const note = `note ${t}`;
    await call(url, adminToken, 'POST', `/v1/conversations/${conversation}/messages`, { text: note, private: true });
    const newcomer = `新客户 ${t}`;
    await wechatText(`oNew_${t}`, newcomer);

    // Back online: the parked socket closes, the page reconnects through to the hub.
    cut = false;
    for (const ws of parked.splice(0)) await ws.close({ code: 1001, reason: 'network back' });
    await until(() => live.length > 0, 'the page reconnects to the hub');
    await page.locator('.conn[data-state=open]').waitFor({ timeout: 10_000 });
    // One more while live, racing the resync.
    texts.push(`第五条 ${t}`);
    await wechatText(openid, texts[texts.length - 1]);

    for (const text of [...texts, other, note]) {
      await page.locator('.msg', { hasText: text }).first().waitFor({ timeout: 15_000 });
    }
    await page.locator('.conv-item', { hasText: newcomer }).waitFor({ timeout: 10_000 });
    await page.waitForTimeout(1_000); // late duplicates would show up by now

    for (const text of [...texts, other, note]) {
      assert.equal(await page.locator('.msg', { hasText: text }).count(), 1, `"${text}" shown once`);
    }
    assert.equal(await page.locator('.msg--note', { hasText: note }).count(), 1, 'the note is shown as a note');
    // Exactly what the store holds, in its order.
    const shown = (await page.locator('.msg[data-seq]').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)))).filter(Boolean);
    const stored = (await call(url, adminToken, 'GET', `/v1/conversations/${conversation}/messages?after_seq=0&limit=500`)).items.map((m) => m.seq);
    assert.deepEqual(shown, stored, 'every stored message once, in seq order');
    assert.deepEqual(shown, shown.map((_, i) => i + 1), 'seqs 1..n: no gap, no repeat');
    assert.equal(await page.locator('.conv-item', { hasText: newcomer }).count(), 1, 'the new conversation is listed once');
    assert.deepEqual(errors, [], 'no browser console errors');
  } catch (e) {
    await failureShot(page, 'workbench-drop');
    throw e;
  } finally {
    await context.close();
  }
});

test('admin: a web channel created in the console, its embed snippet works on another site', { skip, timeout: 120_000 }, async () => {
  // The customer's site: a page on another origin with whatever snippet the console gave.
  let snippet = '';
  const site = http.createServer((req, res) => {
    if (req.url !== '/') { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title><link rel="icon" href="data:,"></head>
<body><h1>A shop that embeds the chat</h1>${snippet}</body></html>`);
  });
  await new Promise((r) => site.listen(0, '127.0.0.1', r));
  const siteOrigin = `http://127.0.0.1:${site.address().port}`;

  const { context, page, errors } = await workbenchPage('workbench-admin');
  let visitor;
  try {
    await signIn(page, url, 'admin', env.OMNIGATE_ADMIN_PASSWORD);
    await page.locator('.nav-link', { hasText: 'Admin' }).click();
    await page.locator('.admin-menu a[aria-current=page]', { hasText: 'Channels' }).waitFor();
    await page.locator('a[data-type=web]').click();
    const name = `Shop chat ${tag()}`;
    await page.locator('#ch-name').fill(name);
    // Checked in the page before anything is sent.
    await page.locator('#ch-allowed_origins').fill('not an origin');
    await page.locator('.channel-form button[type=submit]').click();
    await page.locator('#ch-allowed_origins-error', { hasText: 'not an origin' }).waitFor();
    assert.equal(await page.locator('#ch-allowed_origins').getAttribute('aria-invalid'), 'true');
    await page.locator('#ch-allowed_origins').fill(siteOrigin);
    await page.locator('.channel-form button[type=submit]').click();

    const embed = page.locator('dd[data-output="channels.embed"] textarea');
    await embed.waitFor({ timeout: 10_000 });
    snippet = await embed.inputValue();
    assert.match(snippet, /^<script src="http:\/\/127\.0\.0\.1:\d+\/widget\.js" data-channel="wk_[A-Za-z0-9_-]+" async><\/script>$/);
    await page.screenshot({ path: path.join(artifacts, 'workbench-admin-channel.png') });

    // The snippet on the customer's site: the widget comes up and talks to the gateway.
    visitor = await context.newPage();
    const visitorErrors = watchErrors(visitor, 'shop');
    await visitor.goto(`${siteOrigin}/`);
    await visitor.locator('.omnigate-widget .ogw-launcher').click();
    const text = `Embedded widget works ${tag()}`;
    await visitor.locator('.omnigate-widget .ogw-input').fill(text);
    await visitor.locator('.omnigate-widget .ogw-input').press('Enter');
    await visitor.locator('.omnigate-widget .ogw-msg--mine[data-status=sent]', { hasText: text }).waitFor({ timeout: 15_000 });

    // It reaches the workbench (the admin sees every conversation).
    await page.locator('.nav-link', { hasText: 'Inbox' }).click();
    const item = page.locator('.conv-item', { hasText: text });
    await item.waitFor({ timeout: 10_000 });
    assert.equal(await item.locator('.badge').getAttribute('data-channel'), 'web');

    // The admin types a reply: the visitor sees them typing, then the reply.
    await item.click();
    const input = page.locator('.composer-input');
    await input.click();
    await input.pressSequentially('Thanks, ');
    await visitor.locator('.omnigate-widget .ogw-typing').waitFor({ state: 'visible', timeout: 10_000 });
    await input.pressSequentially('we got it.');
    await input.press('Control+Enter');
    await visitor.locator('.omnigate-widget .ogw-msg--theirs', { hasText: 'Thanks, we got it.' }).waitFor({ timeout: 15_000 });
    assert.deepEqual([...errors, ...visitorErrors], [], 'no browser console errors');
  } catch (e) {
    await failureShot(page, 'workbench-admin');
    throw e;
  } finally {
    await context.close();
    site.close();
  }
});

test('admin: the connection test names a wrong AppSecret; fixed in the edit form, the test passes', { skip, timeout: 120_000 }, async () => {
  const appId = `wxe2etest${tag().replace(/-/g, '')}`;
  standin.addApp(appId, 'the-right-secret');
  const name = `公众号 test ${tag()}`;
  const ch = await call(url, adminToken, 'POST', '/v1/admin/channels', {
    type: 'wechat_mp', name, config: { app_id: appId, app_secret: 'a-wrong-secret', mode: 'safe', api_base: standin.base },
  });

  const { context, page, errors } = await workbenchPage('workbench-admin-test');
  try {
    await signIn(page, url, 'admin', env.OMNIGATE_ADMIN_PASSWORD);
    await page.locator('.nav-link', { hasText: 'Admin' }).click();
    await page.locator('.table a', { hasText: name }).first().click();
    await page.locator('button', { hasText: 'Test connection' }).click();
    const token = page.locator('.conn-check[data-check=access_token]');
    await token.waitFor({ timeout: 15_000 });
    assert.match(await token.getAttribute('class'), /conn-check--bad/);
    assert.match(await token.locator('.conn-check-detail').innerText(), /40125[\s\S]*AppSecret/);
    assert.equal(await page.locator('.conn-check[data-check=api]').count(), 0, 'no API call without a token');
    await page.screenshot({ path: path.join(artifacts, 'workbench-admin-connection-failed.png') });

    await page.locator('a', { hasText: 'Edit settings' }).click();
    assert.equal(await page.locator('#ch-app_id').inputValue(), appId);
    assert.equal(await page.locator('#ch-mode').inputValue(), 'safe');
    assert.equal(await page.locator('#ch-app_secret').inputValue(), '', 'a stored secret is never shown');
    await page.locator('#ch-app_secret').fill('the-right-secret');
    await page.locator('.channel-form button[type=submit]').click();
    await page.locator('.notice', { hasText: 'Settings saved.' }).waitFor({ timeout: 10_000 });

    await page.locator('button', { hasText: 'Test connection' }).click();
    await page.locator('.conn-check--ok[data-check=api]').waitFor({ timeout: 15_000 });
    assert.match(await page.locator('.conn-check[data-check=access_token]').getAttribute('class'), /conn-check--ok/);
    await page.screenshot({ path: path.join(artifacts, 'workbench-admin-connection-test.png') });

    // The edit kept what the form does not show and changed only the secret.
    const saved = await call(url, adminToken, 'GET', `/v1/admin/channels/${ch.id}`);
    assert.equal(saved.config.mode, 'safe');
    assert.equal(saved.secrets.app_secret, 'the-right-secret');
    assert.equal(saved.secrets.encoding_aes_key, ch.secrets.encoding_aes_key);
    assert.ok(standin.requests.some((r) => r.path === '/cgi-bin/get_api_domain_ip' && r.answer.ip_list));
    assert.deepEqual(errors, [], 'no browser console errors');
  } catch (e) {
    await failureShot(page, 'workbench-admin-test');
    throw e;
  } finally {
    await context.close();
  }
});

test('agent: an email comes in over IMAP, the canned reply leaves over SMTP in its thread',
  { skip: skip || (!env.OMNIGATE_MAIL_SERVERS && 'needs OMNIGATE_MAIL_SERVERS (og_mail_servers)'), timeout: 180_000 }, async () => {
    const mail = await startMailServers(env.OMNIGATE_MAIL_SERVERS);
    const { context, page, errors } = await workbenchPage('workbench-email');
    let ch;
    try {
      ch = await call(url, adminToken, 'POST', '/v1/admin/channels', {
        type: 'email',
        name: `Support mail ${tag()}`,
        config: {
          address: 'support@shop.example',
          display_name: 'Shop Support',
          imap: { url: mail.imap_url, username: mail.imap_username, password: mail.imap_password, starttls: 'off', poll_interval_seconds: 1 },
          smtp: { url: mail.smtp_url, starttls: 'off' },
        },
      });
      await signIn(page, url, 'agent', env.OMNIGATE_AGENT_PASSWORD);
      await page.locator('.conn[data-state=open]').waitFor({ timeout: 10_000 });

      const t = tag();
      const messageId = `<e2e-${t}@customer.example>`;
      const subject = `退货申请 ${t}`;
      await mail.deliver([
        'From: =?UTF-8?B?546L6Iqz?= <wang.fang@customer.example>',
        'To: Shop Support <support@shop.example>',
        `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
        `Message-ID: ${messageId}`,
        `Date: ${new Date().toUTCString()}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=UTF-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        `您好，我的订单还没发货，想问一下进度。${t}`,
        '',
      ].join('\r\n'));
      // Poll now rather than at the next interval.
      const polled = await call(url, adminToken, 'POST', `/v1/admin/channels/${ch.id}/poll`);
      assert.equal(polled.error, null, `the poll worked: ${JSON.stringify(polled)}`);

      const item = page.locator('.conv-item', { hasText: t });
      await item.waitFor({ timeout: 15_000 });
      assert.equal(await item.locator('.badge').getAttribute('data-channel'), 'email');
      await item.click();
      await page.locator('.msg--in', { hasText: '我的订单还没发货' }).waitFor();
      const input = page.locator('.composer-input');
      await input.click();
      await input.pressSequentially('/shi');
      const listbox = page.locator('.canned[role=listbox]');
      await listbox.locator('[aria-selected=true][data-shortcode=ship]').waitFor({ timeout: 5_000 });
      await input.press('Tab');
      assert.equal(await input.inputValue(), SHIPPING, 'Tab picks the highlighted response');

      // Attachments: one over the gateway's max_body_bytes (1 MiB here) is
      // refused with a clear message and holds the send until removed; the
      // other uploads at once and goes out with the reply.
      const invoice = { name: `invoice-${t}.pdf`, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4 invoice ${t}\n${'0123456789'.repeat(50)}`) };
      const huge = { name: 'scan.tiff', mimeType: 'image/tiff', buffer: Buffer.alloc((1 << 20) + 4096, 7) };
      await page.locator('.attach-picker').setInputFiles([huge, invoice]);
      const hugeChip = page.locator('.attachment[data-name="scan.tiff"]');
      await hugeChip.locator('.attachment-error', { hasText: 'too large' }).waitFor({ timeout: 10_000 });
      assert.equal(await hugeChip.getAttribute('data-state'), 'failed');
      const invoiceChip = page.locator(`.attachment[data-name="${invoice.name}"]`);
      await page.locator(`.attachment[data-name="${invoice.name}"][data-state=ready]`).waitFor({ timeout: 10_000 });
      assert.match(await invoiceChip.locator('.attachment-size').textContent(), /^\d+ B$/, 'the chip shows the size');
      await input.press('Control+Enter');
      await page.locator('.composer-blocked', { hasText: 'could not be uploaded' }).waitFor();
      await page.screenshot({ path: path.join(artifacts, 'workbench-attachments.png') });
      assert.equal(await input.inputValue(), SHIPPING, 'nothing was sent while a failed file is attached');
      const remove = hugeChip.locator('.attachment-remove');
      assert.equal(await remove.getAttribute('aria-label'), 'Remove scan.tiff');
      await remove.focus();
      await page.keyboard.press('Enter');
      await hugeChip.waitFor({ state: 'detached' });
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), `Remove ${invoice.name}`,
        'focus moves to the next chip');
      await input.press('Control+Enter');
      await page.locator('.attachments').waitFor({ state: 'hidden' });

      let sent;
      for (const end = Date.now() + 30_000; !sent && Date.now() < end;) {
        sent = (await mail.received()).find((m) => m.recipients.includes('wang.fang@customer.example'));
        if (!sent) await new Promise((r) => setTimeout(r, 250));
      }
      assert.ok(sent, 'the SMTP server received the reply');
      assert.equal(sent.mail_from, 'support@shop.example');
      assert.equal(header(sent.data, 'In-Reply-To'), messageId, 'in the customer\'s thread');
      assert.ok(plainText(sent.data).includes(SHIPPING), plainText(sent.data));
      const attached = attachments(sent.data);
      assert.equal(attached.length, 1, 'one MIME attachment');
      assert.equal(attached[0].filename, invoice.name);
      assert.equal(attached[0].contentType, 'application/pdf');
      assert.ok(attached[0].bytes.equals(invoice.buffer), 'the attachment carries the uploaded bytes');
      await page.locator('.msg--out[data-status=sent]', { hasText: SHIPPING }).waitFor({ timeout: 20_000 });
      await page.locator('.msg--out .part--file', { hasText: invoice.name }).waitFor();
      await page.screenshot({ path: path.join(artifacts, 'workbench-email.png') });
      // The one error Chromium logs is the refused upload's own answer.
      assert.deepEqual(errors.filter((e) => !/status of 413/.test(e)), [], 'no browser console errors');
    } catch (e) {
      await failureShot(page, 'workbench-email');
      throw e;
    } finally {
      await context.close();
      // Its servers go away with the test: stop polling them.
      if (ch) await call(url, adminToken, 'PATCH', `/v1/admin/channels/${ch.id}`, { enabled: false }).catch(() => {});
      await mail.close();
    }
  });
