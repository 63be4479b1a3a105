// The widget in headless Chromium against the mock hub (mock-hub.mjs): the
// same flow as widget.spec.mjs, plus what the widget promises on its own —
// resume with last_seq after a drop, de-duplication, persistence across page
// loads, sending/sent/failed states, typing, the unread badge and read frames,
// escaping, keyboard use, the phone layout, host-page CSS isolation.
//
//   npm ci && node --test mock.spec.mjs        (screenshots in ./artifacts or $OMNIGATE_ARTIFACT_DIR)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startMockHub } from './mock-hub.mjs';
import { launchChromium, watchErrors, artifactDir } from './lib/browser.mjs';
import { visitorAgentRoundTrip, W } from './lib/flow.mjs';

let hub;
let browser;
const artifacts = artifactDir();

before(async () => {
  hub = await startMockHub({ autoReply: false });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await hub?.close();
});

const storeKey = (key = hub.channelKey) => `omnigate.widget.v1.${key}`;

/** A fresh visitor (own context = own localStorage) with the widget open on /demo. */
async function openVisitor({ viewport = { width: 1280, height: 800 }, open = true, contextOptions = {}, context: ctx, url } = {}) {
  const context = ctx || await browser.newContext({ viewport, ...contextOptions });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(url || `${hub.url}/demo`);
  await page.locator(`${W} .ogw-launcher`).waitFor({ state: 'visible' });
  if (open) {
    await page.locator(`${W} .ogw-launcher`).click();
    await page.locator(`${W} .ogw-input`).waitFor({ state: 'visible' });
  }
  return { context, page, errors };
}

async function send(page, text) {
  const input = page.locator(`${W} .ogw-input`);
  await input.fill(text);
  await input.press('Enter');
}

const visitorOf = (page) => page.evaluate((k) => JSON.parse(localStorage.getItem(k)).visitor, storeKey());
const texts = (page, sel) => page.locator(`${W} ${sel} .ogw-bubble`).allInnerTexts();
/** Polls a condition on the hub's side. */
async function until(cond, what, ms = 5_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const waitConnected = (page) => page.waitForFunction(
  () => document.querySelector('.omnigate-widget')?.dataset.connection === 'online', null, { timeout: 10_000 });

test('desktop: demo page round trip with an agent (the acceptance flow)', { timeout: 60_000 }, async () => {
  const run = await visitorAgentRoundTrip({ browser, url: hub.url, rtUrl: hub.rtUrl, agentToken: hub.agentToken, artifacts, name: 'mock-widget-desktop' });
  try {
    const { page } = run;
    // hello carried what the protocol asks for
    const visitor = await visitorOf(page);
    const hello = hub.frames.find((f) => f.frame.type === 'hello' && f.frame.visitor === visitor).frame;
    assert.equal(hello.channel, hub.channelKey);
    assert.match(hello.visitor, /^[0-9a-f-]{36}$/);
    assert.equal(hello.page_url, `${hub.url}/demo`);
    assert.equal(hello.language, 'en-US');
    assert.deepEqual(hello.last_seq, {});
    // visitor right, agent left
    const panel = await page.locator(`${W} .ogw-panel`).boundingBox();
    const mine = await page.locator(`${W} .ogw-msg--mine .ogw-bubble`).last().boundingBox();
    const theirs = await page.locator(`${W} .ogw-msg--theirs .ogw-bubble`).last().boundingBox();
    assert.ok(mine.x + mine.width > panel.x + panel.width - 40, 'own message on the right');
    assert.ok(theirs.x < panel.x + 40, 'agent message on the left');
    assert.equal(await page.locator(`${W} .ogw-msg--theirs .ogw-sender`).last().innerText(), 'Mia (support)');
    // last_seq saved from the ack (seq 1) and the reply (seq 2)
    await page.waitForFunction(([k, c]) => JSON.parse(localStorage.getItem(k)).convs[c]?.last === 2, [storeKey(), String(run.conversation)]);
    // the demo page's own broad CSS (button { padding; text-transform }) did not reach the widget
    const send = await page.locator(`${W} .ogw-send`).evaluate((e) => {
      const s = getComputedStyle(e);
      return { padding: s.paddingTop, transform: s.textTransform, radius: s.borderTopLeftRadius, font: s.fontFamily };
    });
    assert.deepEqual({ padding: send.padding, transform: send.transform, radius: send.radius }, { padding: '0px', transform: 'none', radius: '12px' });
    assert.ok(!/Georgia/.test(send.font), `widget font not inherited from the page: ${send.font}`);
  } finally {
    run.agent.close();
    await run.context.close();
  }
});

test('phone 390x844: full-screen panel, same round trip', { timeout: 60_000 }, async () => {
  const run = await visitorAgentRoundTrip({
    browser, url: hub.url, rtUrl: hub.rtUrl, agentToken: hub.agentToken, artifacts, name: 'mock-widget-phone',
    viewport: { width: 390, height: 844 }, contextOptions: { isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  });
  try {
    const box = await run.page.locator(`${W} .ogw-panel`).boundingBox();
    assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 390, 844], 'the panel fills the screen');
    assert.equal(await run.page.locator(`${W} .ogw-close`).isVisible(), true);
    await run.page.locator(`${W} .ogw-close`).click();
    await run.page.locator(`${W} .ogw-panel`).waitFor({ state: 'hidden' });
    await run.page.locator(`${W} .ogw-launcher`).waitFor({ state: 'visible' });
    await run.page.screenshot({ path: path.join(artifacts, 'mock-widget-phone-closed.png') });
  } finally {
    run.agent.close();
    await run.context.close();
  }
});

test('resume after a network drop: exactly the missed replies, in order, once', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await openVisitor();
  await send(page, 'first question');
  await page.locator(`${W} .ogw-msg--mine[data-status="sent"]`, { hasText: 'first question' }).waitFor();
  const visitor = await visitorOf(page);
  const conv = hub.conversationOf(visitor);
  hub.agentReply(conv.id, 'reply zero');
  await page.locator(`${W} .ogw-msg--theirs`, { hasText: 'reply zero' }).waitFor();
  hub.note(conv.id, 'agents only: check the order system'); // seq 3, never shown to the visitor

  const hellosBefore = hub.frames.filter((f) => f.visitor === visitor && f.frame.type === 'hello').length;
  hub.dropVisitors();
  await page.waitForFunction(() => document.querySelector('.omnigate-widget').dataset.connection === 'connecting');
  assert.match(await page.locator(`${W} .ogw-subtitle`).innerText(), /Reconnecting/);
  for (const t of ['missed one', 'missed two', 'missed three']) hub.agentReply(conv.id, t); // while offline

  await page.locator(`${W} .ogw-msg--theirs`, { hasText: 'missed three' }).waitFor({ timeout: 15_000 });
  await waitConnected(page);
  const hello = hub.frames.filter((f) => f.visitor === visitor && f.frame.type === 'hello')[hellosBefore].frame;
  // the note (seq 3) never reached the visitor: it resumes after 2, and the gap at 3 is no obstacle
  assert.deepEqual(hello.last_seq, { [conv.id]: 2 }, 'resumes after the last seq seen');
  assert.deepEqual(await texts(page, '.ogw-msg--theirs:not(.ogw-greeting)'), ['reply zero', 'missed one', 'missed two', 'missed three']);
  assert.deepEqual(await texts(page, '.ogw-msg--mine'), ['first question']);
  assert.equal(await page.locator(`${W} .ogw-msg`, { hasText: 'agents only' }).count(), 0);
  // saved (debounced) for the next page load
  await page.waitForFunction(([k, c]) => JSON.parse(localStorage.getItem(k)).convs[c]?.last === 6, [storeKey(), String(conv.id)]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a page load shows the transcript from storage and resumes without duplicates', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await openVisitor();
  await send(page, 'before reload');
  await page.locator(`${W} .ogw-msg--mine[data-status="sent"]`, { hasText: 'before reload' }).waitFor();
  const visitor = await visitorOf(page);
  const conv = hub.conversationOf(visitor);
  hub.agentReply(conv.id, 'answer before reload');
  await page.locator(`${W} .ogw-msg--theirs`, { hasText: 'answer before reload' }).waitFor();

  await page.reload();
  // connects at load because there is history; transcript is there without opening
  await waitConnected(page);
  hub.agentReply(conv.id, 'answer after reload');
  await page.locator(`${W} .ogw-launcher`).click();
  await page.locator(`${W} .ogw-msg--theirs`, { hasText: 'answer after reload' }).waitFor();
  assert.deepEqual(await texts(page, '.ogw-msg--mine'), ['before reload']);
  assert.deepEqual(await texts(page, '.ogw-msg--theirs:not(.ogw-greeting)'), ['answer before reload', 'answer after reload']);
  const hellos = hub.frames.filter((f) => f.visitor === visitor && f.frame.type === 'hello');
  assert.equal(hellos.length, 2, 'the same visitor id after reload');
  assert.deepEqual(hellos[1].frame.last_seq, { [conv.id]: 2 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('sending → sent, and failed → Retry → sent (idempotent client_msg_id)', { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.clock.install();
  const { page, errors } = await openVisitor({ context });
  await waitConnected(page);

  hub.setAckDelay(800);
  await send(page, 'slow ack');
  await page.locator(`${W} .ogw-msg--mine[data-status="sending"]`, { hasText: 'slow ack' }).waitFor();
  assert.match(await page.locator(`${W} .ogw-msg--mine`, { hasText: 'slow ack' }).innerText(), /Sending/);
  await page.clock.runFor(1000);
  await page.locator(`${W} .ogw-msg--mine[data-status="sent"]`, { hasText: 'slow ack' }).waitFor();
  hub.setAckDelay(0);

  hub.setDropSends(true);
  await send(page, 'lost in transit');
  await page.locator(`${W} .ogw-msg--mine[data-status="sending"]`, { hasText: 'lost in transit' }).waitFor();
  await page.clock.runFor(16_000);
  const failed = page.locator(`${W} .ogw-msg--mine[data-status="failed"]`, { hasText: 'lost in transit' });
  await failed.waitFor();
  assert.match(await failed.innerText(), /Not sent/);
  await page.locator(`${W} .ogw-panel`).screenshot({ path: path.join(artifacts, 'mock-widget-failed.png') });
  hub.setDropSends(false);
  await failed.locator('.ogw-retry').click();
  await page.locator(`${W} .ogw-msg--mine[data-status="sent"]`, { hasText: 'lost in transit' }).waitFor();

  const visitor = await visitorOf(page);
  const sends = hub.frames.filter((f) => f.visitor === visitor && f.frame.type === 'send' && f.frame.text === 'lost in transit');
  assert.equal(sends.length, 2);
  assert.equal(sends[0].frame.client_msg_id, sends[1].frame.client_msg_id, 'retry reuses the client_msg_id');
  assert.equal(hub.conversationOf(visitor).messages.length, 2, 'stored once each');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a message typed while the hub is unreachable is kept and sent on reconnect', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await openVisitor();
  await waitConnected(page);
  await context.setOffline(true);
  hub.dropVisitors();
  await page.waitForFunction(() => document.querySelector('.omnigate-widget').dataset.connection === 'offline');
  assert.match(await page.locator(`${W} .ogw-subtitle`).innerText(), /offline/);
  await send(page, 'typed offline');
  await page.locator(`${W} .ogw-msg--mine[data-status="sending"]`, { hasText: 'typed offline' }).waitFor();
  // the unsent message survives a page close
  await page.waitForFunction((k) => JSON.parse(localStorage.getItem(k)).outbox.length === 1, storeKey());
  await context.setOffline(false); // fires `online`: reconnect at once, no backoff wait
  await page.locator(`${W} .ogw-msg--mine[data-status="sent"]`, { hasText: 'typed offline' }).waitFor({ timeout: 5_000 });
  await page.waitForFunction((k) => JSON.parse(localStorage.getItem(k)).outbox.length === 0, storeKey());
  assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|WebSocket connection/.test(e)), []);
  await context.close();
});

test('echoes: another tab shows my message; the sending tab shows it once', { timeout: 60_000 }, async () => {
  const echoHub = await startMockHub({ autoReply: false, echoToSender: true, channelKey: 'echo-key' });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const a = await openVisitor({ context, url: `${echoHub.url}/demo` });
    await a.page.locator(`${W}[data-connection="online"]`).waitFor();
    const b = await openVisitor({ context, url: `${echoHub.url}/demo` });
    await b.page.locator(`${W}[data-connection="online"]`).waitFor();
    echoHub.setAckDelay(500); // the echo overtakes the ack: it alone must settle the pending bubble
    await send(a.page, 'from tab A');
    await b.page.locator(`${W} .ogw-msg--mine`, { hasText: 'from tab A' }).waitFor();
    await a.page.locator(`${W} .ogw-msg--mine[data-status="sent"]`, { hasText: 'from tab A' }).waitFor({ timeout: 400 });
    assert.deepEqual(await texts(a.page, '.ogw-msg--mine'), ['from tab A']);
    await a.page.waitForTimeout(500); // and the late ack changes nothing
    assert.deepEqual(await texts(a.page, '.ogw-msg--mine'), ['from tab A']);
    assert.deepEqual(await texts(b.page, '.ogw-msg--mine'), ['from tab A']);
    assert.deepEqual([...a.errors, ...b.errors], []);
    await context.close();
  } finally {
    await echoHub.close();
  }
});

test('agent typing indicator, unread badge and read frames', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await openVisitor();
  await send(page, 'hi');
  await page.locator(`${W} .ogw-msg--mine[data-status="sent"]`).waitFor();
  const conv = hub.conversationOf(await visitorOf(page));

  hub.typing(conv.id, true, 'Mia');
  const typing = page.locator(`${W} .ogw-typing`);
  await typing.waitFor({ state: 'visible' });
  assert.equal(await typing.innerText(), 'Mia is typing…');
  await page.locator(`${W} .ogw-panel`).screenshot({ path: path.join(artifacts, 'mock-widget-typing.png') });
  hub.typing(conv.id, false, 'Mia');
  await typing.waitFor({ state: 'hidden' });

  // visitor typing reaches the hub
  await page.locator(`${W} .ogw-input`).pressSequentially('abc');
  await until(() => hub.frames.some((f) => f.frame.type === 'typing' && f.frame.on === true), 'a typing frame');
  await page.locator(`${W} .ogw-input`).fill('');

  await page.keyboard.press('Escape');
  await page.locator(`${W} .ogw-panel`).waitFor({ state: 'hidden' }); // Escape closes
  assert.equal(await page.evaluate(() => document.activeElement.className), 'ogw-launcher', 'focus back on the launcher');
  hub.agentReply(conv.id, 'unread one');
  hub.agentReply(conv.id, 'unread two');
  const badge = page.locator(`${W} .ogw-badge`);
  await page.waitForFunction(() => document.querySelector('.omnigate-widget .ogw-badge').textContent === '2');
  assert.equal(await badge.isVisible(), true);
  assert.match(await page.locator(`${W} .ogw-launcher`).getAttribute('aria-label'), /2 unread messages/);
  await page.screenshot({ path: path.join(artifacts, 'mock-widget-badge.png') });

  await page.keyboard.press('Enter'); // the focused launcher opens the panel
  await page.locator(`${W} .ogw-panel`).waitFor({ state: 'visible' });
  assert.equal(await badge.isVisible(), false);
  await until(() => hub.reads.get(conv.id) === 3, 'a read frame up to the last reply');

  await page.reload();
  await waitConnected(page);
  assert.equal(await badge.isVisible(), false, 'read state survives a reload');
  assert.deepEqual(errors, []);
  await context.close();
});

test('untrusted content is shown as text; links and images are safe', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await openVisitor();
  await send(page, '<b>bold?</b>');
  await page.locator(`${W} .ogw-msg--mine[data-status="sent"]`).waitFor();
  const conv = hub.conversationOf(await visitorOf(page));
  hub.agentReply(conv.id, '<img src=x onerror="window.__xss=1"> see https://example.com/track?id=1.');
  hub.agentReply(conv.id, [
    { type: 'link', url: 'javascript:window.__xss=2', title: 'evil link' },
    { type: 'link', url: 'https://example.com/faq', title: 'Shipping FAQ', text: 'How long delivery takes' },
    { type: 'image', url: 'data:image/svg+xml,<svg onload="window.__xss=3"/>', name: 'bad.svg' },
    { type: 'file', url: 'https://example.com/invoice.pdf', name: 'invoice.pdf' },
    { type: 'location', label: 'Shanghai warehouse', latitude: 31.2, longitude: 121.5 },
    { type: 'event', event: 'order.shipped' },
  ]);
  await page.locator(`${W} .ogw-msg--theirs`, { hasText: 'Shipping FAQ' }).waitFor();
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.locator(`${W} .ogw-msg--mine .ogw-bubble`).innerText(), '<b>bold?</b>');
  assert.equal(await page.locator(`${W} .ogw-log b`).count(), 0);
  assert.equal(await page.locator(`${W} .ogw-log img`).count(), 0, 'no image from markup or a data: URL');
  const hrefs = await page.locator(`${W} .ogw-log a`).evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href'), a.rel]));
  assert.deepEqual(hrefs, [
    ['https://example.com/track?id=1', 'https://example.com/track?id=1', 'noopener noreferrer nofollow'],
    ['Shipping FAQ', 'https://example.com/faq', 'noopener noreferrer nofollow'],
    ['File: invoice.pdf', 'https://example.com/invoice.pdf', 'noopener noreferrer nofollow'],
  ]);
  const last = await page.locator(`${W} .ogw-msg--theirs .ogw-bubble`).last().innerText();
  assert.match(last, /evil link/);
  assert.match(last, /\[Location: Shanghai warehouse\]/);
  assert.match(last, /\[Image: bad\.svg\]/);
  await page.locator(`${W} .ogw-panel`).screenshot({ path: path.join(artifacts, 'mock-widget-parts.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('Shift+Enter makes a new line; Enter sends the multi-line message', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await openVisitor();
  const input = page.locator(`${W} .ogw-input`);
  await input.pressSequentially('line one');
  await input.press('Shift+Enter');
  await input.pressSequentially('line two');
  assert.equal(await input.inputValue(), 'line one\nline two');
  await input.press('Enter');
  await page.locator(`${W} .ogw-msg--mine[data-status="sent"]`).waitFor();
  const visitor = await visitorOf(page);
  assert.equal(hub.conversationOf(visitor).messages[0].parts[0].text, 'line one\nline two');
  assert.deepEqual(errors, []);
  await context.close();
});

test('zh locale, data-title, data-ws-url and the embed on another page', { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  const zh = await openVisitor({ context });
  assert.equal(await zh.page.locator(`${W} .ogw-title`).innerText(), '在线客服');
  assert.equal(await zh.page.locator(`${W} .ogw-input`).getAttribute('placeholder'), '输入消息…');
  await send(zh.page, '你好，我的快递到哪了？');
  await zh.page.locator(`${W} .ogw-msg--mine[data-status="sent"]`).waitFor();
  assert.match(await zh.page.locator(`${W} .ogw-msg--mine`).innerText(), /已发送/);
  await zh.page.screenshot({ path: path.join(artifacts, 'mock-widget-zh.png') });

  // a host page of its own with the optional attributes (served under the hub's origin)
  const page = await context.newPage();
  const errors = watchErrors(page);
  hub.addPage('/shop', `<!doctype html><html><head><title>shop</title><link rel="icon" href="data:,"></head><body><h1>Shop</h1>
      <script src="${hub.url}/widget.js?v=7" data-channel="${hub.channelKey}" data-ws-url="${hub.rtUrl}"
        data-title="Acme Help" data-position="left" data-color="#0f766e" async></script></body></html>`);
  await page.goto(`${hub.url}/shop`);
  await page.locator(`${W} .ogw-launcher`).click();
  assert.equal(await page.locator(`${W} .ogw-title`).innerText(), 'Acme Help');
  const box = await page.locator(`${W} .ogw-launcher`).boundingBox();
  assert.ok(box.x < 100, 'launcher bottom-left');
  assert.equal(await page.locator(`${W} .ogw-launcher`).evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(15, 118, 110)');
  assert.ok(await page.locator('link[data-omnigate-widget]').evaluate((l) => l.href.endsWith('/widget.css?v=7')));
  await page.locator(`${W}[data-connection="online"]`).waitFor();
  assert.deepEqual([...zh.errors, ...errors], []);
  await context.close();
});

test('a transient store error is retried by itself; the message is stored once', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await openVisitor();
  await waitConnected(page);
  hub.setFailSends(1);
  await send(page, 'store hiccup');
  // failed for a moment, then resent after ~2 s with the same client_msg_id
  await page.locator(`${W} .ogw-msg--mine[data-status="sent"]`, { hasText: 'store hiccup' }).waitFor({ timeout: 10_000 });
  const visitor = await visitorOf(page);
  const sends = hub.frames.filter((f) => f.visitor === visitor && f.frame.type === 'send');
  assert.equal(sends.length, 2);
  assert.equal(sends[0].frame.client_msg_id, sends[1].frame.client_msg_id);
  assert.equal(hub.conversationOf(visitor).messages.length, 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a refused hello (unknown channel key) shows "unavailable" and does not retry in a loop', { timeout: 60_000 }, async () => {
  hub.addPage('/wrong-key', `<!doctype html><html><head><link rel="icon" href="data:,"></head><body>
    <script src="/widget.js" data-channel="no-such-key" async></script></body></html>`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await page.goto(`${hub.url}/wrong-key`);
  await page.locator(`${W} .ogw-launcher`).click();
  await page.waitForFunction(() => document.querySelector('.omnigate-widget').dataset.connection === 'offline');
  assert.equal(await page.locator(`${W} .ogw-subtitle`).innerText(), 'Chat is unavailable right now');
  const hellos = () => hub.frames.filter((f) => f.frame.type === 'hello' && f.frame.channel === 'no-such-key').length;
  await new Promise((r) => setTimeout(r, 3_000));
  assert.equal(hellos(), 1, 'no reconnect loop after a refusal');
  assert.ok(warnings.some((w) => w.includes('unknown_channel')), warnings.join('\n'));
  // the visitor acting (sending) tries once more
  await send(page, 'anyone?');
  await until(() => hellos() === 2, 'a second hello after the visitor acts');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a half-open socket is detected by ping and replaced', { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.clock.install();
  const { page, errors } = await openVisitor({ context });
  await waitConnected(page);
  const visitor = await visitorOf(page);
  const hellos = () => hub.frames.filter((f) => f.visitor === visitor && f.frame.type === 'hello').length;
  hub.freezeVisitors(); // the socket stays open but nothing comes back
  await page.clock.runFor(30_100); // keepalive ping at 30 s
  await page.clock.runFor(10_100); // no pong for 10 s: abandon it, reconnect after 0.5–1 s
  await page.waitForFunction(() => document.querySelector('.omnigate-widget').dataset.connection === 'connecting');
  await page.clock.runFor(1_500);
  await until(() => hellos() === 2, 'a new hello on a new socket');
  await waitConnected(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a visitor who never opens the chat: no socket, nothing stored', { timeout: 60_000 }, async () => {
  const before = hub.frames.length;
  const { context, page, errors } = await openVisitor({ open: false });
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.equal(hub.frames.length, before, 'no hello');
  assert.equal(await page.locator(`${W} .ogw-panel`).isVisible(), false);
  assert.equal(await page.locator(`${W} .ogw-badge`).isVisible(), false);
  assert.deepEqual(errors, []);
  await context.close();
});
