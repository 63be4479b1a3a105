// The headless-Chromium acceptance test of issue 3 against a running gateway.
//
//   OMNIGATE_URL=http://127.0.0.1:8080 OMNIGATE_RT_URL=ws://127.0.0.1:8081 \
//   OMNIGATE_CHANNEL_KEY=... OMNIGATE_AGENT_TOKEN=... OMNIGATE_ARTIFACT_DIR=out \
//   node --test widget.spec.mjs
//
// Optional: OMNIGATE_WIDGET_DIR (serve widget.js/css from that folder instead
// of the gateway's embedded copy).
// OMNIGATE_CHANNEL_KEY is the web channel that /demo embeds (the gateway fills
// it into the page); the test checks the page really carries it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, artifactDir } from './lib/browser.mjs';
import { visitorAgentRoundTrip, W } from './lib/flow.mjs';

const env = process.env;
const missing = ['OMNIGATE_URL', 'OMNIGATE_RT_URL', 'OMNIGATE_CHANNEL_KEY', 'OMNIGATE_AGENT_TOKEN'].filter((k) => !env[k]);
const skip = missing.length ? `needs ${missing.join(', ')} (a running gateway)` : false;

let browser;
before(async () => { if (!skip) browser = await launchChromium(); });
after(async () => { await browser?.close(); });

test('demo page: visitor → agent socket → agent HTTP reply → widget', { skip, timeout: 120_000 }, async () => {
  const run = await visitorAgentRoundTrip({
    browser,
    url: env.OMNIGATE_URL,
    rtUrl: env.OMNIGATE_RT_URL,
    agentToken: env.OMNIGATE_AGENT_TOKEN,
    artifacts: artifactDir(),
    name: 'gateway-widget-desktop',
    // OMNIGATE_WIDGET_DIR=../../adapters/web/widget: test the work tree's widget
    // files instead of the copy embedded in the gateway binary
    widgetDir: env.OMNIGATE_WIDGET_DIR || '',
  });
  try {
    const key = await run.page.locator('script[src$="widget.js"]').getAttribute('data-channel');
    assert.equal(key, env.OMNIGATE_CHANNEL_KEY, '/demo embeds the given channel key');
    // The hub acknowledged with the stored seq: the widget saved last_seq for the conversation.
    const saved = await run.page.evaluate((k) => JSON.parse(localStorage.getItem(`omnigate.widget.v1.${k}`)), key);
    assert.ok(saved.convs[String(run.conversation)]?.last >= 1, `last_seq saved: ${JSON.stringify(saved.convs)}`);
    assert.equal(await run.page.locator(`${W} .ogw-msg--theirs`, { hasText: run.replyText }).count(), 1, 'the reply is shown once');
  } finally {
    run.agent.close();
    await run.context.close();
  }
});
