// The agent side as a test sees it: the hub's agent socket and the HTTP reply API.

const WS = globalThis.WebSocket ?? (await import('ws')).default; // node 20 has no global WebSocket

/**
 * Connects to `${rtUrl}/v1/ws/agent?token=...` and records every JSON frame.
 * waitFor(predicate) resolves with the first frame (past or future) matching it.
 */
export async function connectAgent(rtUrl, token, { timeout = 10_000 } = {}) {
  const url = `${rtUrl.replace(/\/+$/, '')}/v1/ws/agent?token=${encodeURIComponent(token)}`;
  const ws = new WS(url);
  const frames = [];
  const waiters = [];
  ws.addEventListener('message', (ev) => {
    let f;
    try { f = JSON.parse(typeof ev.data === 'string' ? ev.data : Buffer.from(ev.data).toString('utf8')); } catch { return; }
    frames.push(f);
    for (const w of [...waiters]) if (w.pred(f)) { waiters.splice(waiters.indexOf(w), 1); clearTimeout(w.timer); w.resolve(f); }
  });
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`agent socket: no connection to ${url} within ${timeout} ms`)), timeout);
    ws.addEventListener('open', () => { clearTimeout(t); resolve(); }, { once: true });
    ws.addEventListener('error', (e) => { clearTimeout(t); reject(new Error(`agent socket: ${e.message || 'connection failed'} (${url})`)); }, { once: true });
  });
  return {
    frames,
    waitFor(pred, what = 'frame', ms = 15_000) {
      const seen = frames.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        w.timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`agent socket: no ${what} within ${ms} ms; got ${JSON.stringify(frames).slice(0, 2000)}`));
        }, ms);
        waiters.push(w);
      });
    },
    close() { try { ws.close(); } catch { /* ignore */ } },
  };
}

/** The text of a message's text parts. */
export const textOf = (m) => (m && Array.isArray(m.parts) ? m.parts.filter((p) => p.type === 'text').map((p) => p.text).join('\n') : '');

/** The conversation id of a message.created event. */
export const conversationOf = (ev) => ev.conversation ?? ev.conversation_id ?? ev.message?.conversation_id;

/** POST ${baseUrl}/v1/conversations/{id}/messages as the agent. */
export async function replyOverHttp(baseUrl, token, conversationId, text) {
  const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/v1/conversations/${conversationId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  const body = await res.text();
  if (res.status !== 201 && res.status !== 200) throw new Error(`agent reply: HTTP ${res.status}: ${body}`);
  return JSON.parse(body);
}
