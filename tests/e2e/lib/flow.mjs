// The browser flow of issue 3's acceptance check, shared by widget.spec.mjs
// (the real gateway) and mock.spec.mjs (the mock hub):
// load /demo, open the widget, type and send a message, see it reach an agent
// socket as message.created, reply as the agent over HTTP, see the reply in
// the widget, save screenshots, and fail on any browser console error.
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { watchErrors } from './browser.mjs';
import { connectAgent, replyOverHttp, textOf, conversationOf } from './agent.mjs';

export const W = '.omnigate-widget';

/**
 * Answers ${url}/widget.js and /widget.css from a folder (the work tree) instead
 * of the gateway's embedded copy: tries a widget change without rebuilding.
 */
export async function serveWidgetFrom(context, url, dir) {
  const base = url.replace(/\/+$/, '');
  for (const [name, type] of [['widget.js', 'text/javascript'], ['widget.css', 'text/css']]) {
    await context.route((u) => u.href.startsWith(`${base}/${name}`), async (route) =>
      route.fulfill({ contentType: `${type}; charset=utf-8`, body: await readFile(path.join(dir, name)) }));
  }
}

export async function visitorAgentRoundTrip({
  browser, url, rtUrl, agentToken, artifacts, name = 'widget',
  viewport = { width: 1280, height: 800 }, contextOptions = {}, widgetDir = '',
}) {
  const tag = randomUUID().slice(0, 8);
  const agent = await connectAgent(rtUrl, agentToken);
  const context = await browser.newContext({ viewport, ...contextOptions });
  if (widgetDir) await serveWidgetFrom(context, url, widgetDir);
  const page = await context.newPage();
  const errors = watchErrors(page, name);
  try {
    await page.goto(`${url.replace(/\/+$/, '')}/demo`, { waitUntil: 'load' });

    const launcher = page.locator(`${W} .ogw-launcher`);
    await launcher.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await launcher.getAttribute('aria-expanded'), 'false');
    await launcher.click();
    assert.equal(await launcher.getAttribute('aria-expanded'), 'true');
    const input = page.locator(`${W} .ogw-input`);
    await input.waitFor({ state: 'visible' });
    await page.waitForFunction(() => document.activeElement?.classList.contains('ogw-input'), null, { timeout: 5_000 });

    const text = `Hello from the browser test ${tag}: where is my order #42?`;
    await input.pressSequentially(text, { delay: 5 });
    await input.press('Enter');
    assert.equal(await input.inputValue(), '', 'the input is cleared after sending');

    const mine = page.locator(`${W} .ogw-msg--mine`, { hasText: text });
    await mine.waitFor({ timeout: 10_000 });
    await page.locator(`${W} .ogw-msg--mine[data-status="sent"]`, { hasText: text }).waitFor({ timeout: 15_000 });

    const created = await agent.waitFor(
      (f) => f.type === 'message.created' && textOf(f.message).includes(text), 'message.created with the visitor text');
    assert.equal(created.message.direction, 'in');
    assert.ok(Number(created.message.seq) >= 1, 'message.created carries seq');
    const conversation = conversationOf(created);
    assert.ok(conversation, 'message.created names its conversation');

    const replyText = `Agent reply ${tag}: it ships today.`;
    const stored = await replyOverHttp(url, agentToken, conversation, replyText);
    const reply = page.locator(`${W} .ogw-msg--theirs`, { hasText: replyText });
    await reply.waitFor({ timeout: 20_000 });

    const desktopShot = path.join(artifacts, `${name}.png`);
    await page.screenshot({ path: desktopShot });
    await page.locator(`${W} .ogw-panel`).screenshot({ path: path.join(artifacts, `${name}-panel.png`) });

    assert.deepEqual(errors, [], 'no browser console errors');
    return { page, context, agent, errors, conversation, text, replyText, stored, screenshot: desktopShot };
  } catch (e) {
    await page.screenshot({ path: path.join(artifacts, `${name}-failure.png`) }).catch(() => {});
    agent.close();
    await context.close().catch(() => {});
    throw e;
  }
}
