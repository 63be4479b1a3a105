// A stand-in for the omnigate gateway's web-chat surface, so the widget can be
// tested before (and independently of) the real realtime hub. It speaks the
// same wire protocol (issue 3):
//
//   HTTP  (port P):   GET /widget.js, /widget.css, /demo ({{CHANNEL_KEY}} filled in)
//                     POST /v1/conversations/{id}/messages  (Bearer token; {"text"} or {"parts"})
//   WS    (port P+1): /v1/ws/visitor?channel=KEY   hello/welcome, send/ack, message, typing, read, ping/pong, error
//                     /v1/ws/agent?token=TOKEN     message.created events
//
// Messages live in memory with a gapless per-conversation seq (private notes
// take a seq too and are never sent to visitors, as in the real store); a
// visitor's message is stored with external_id "v:<visitor>:<client_msg_id>"
// as adapters/web does, and pushed without a separate client_msg_id field.
//
//   node mock-hub.mjs [--port 8080] [--host 127.0.0.1] [--no-auto-reply]
// or import { startMockHub } from './mock-hub.mjs'.

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { WebSocketServer } from 'ws';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const WIDGET_DIR = path.resolve(HERE, '../../adapters/web/widget');

const TYPES = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.html': 'text/html; charset=utf-8' };

function timestamp(d = new Date()) {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'); // six fraction digits, like the gateway
}

export async function startMockHub(options = {}) {
  const opt = {
    host: '127.0.0.1',
    port: 0,                 // 0: pick a free pair P, P+1
    channelKey: 'demo-channel-key',
    agentToken: 'mock-agent-token',
    agentName: 'Mia (support)',
    autoReply: true,         // a canned agent reply (with typing) after each visitor message
    autoReplyText: 'Thanks for your message! An agent will be with you in a moment.',
    autoReplyDelay: 250,
    echoToSender: false,     // also push the visitor's own message back on the sending connection
    maxPayload: 64 * 1024,
    log: false,
    ...options,
  };

  // ------------------------------------------------------------ state
  let nextMessageId = 1;
  let nextConversationId = 101;
  const conversations = new Map(); // id -> { id, visitor, messages: [], last_seq, open }
  const byClientMsgId = new Map(); // visitor + '\n' + client_msg_id -> message
  const visitorSockets = new Set();
  const agentSockets = new Set();
  const frames = [];               // every frame received from visitors: { visitor, frame }
  const reads = new Map();         // conversation id -> highest read seq
  const pages = new Map();         // extra host pages: path -> html
  let ackDelay = 0;
  let dropSends = false;
  let failSends = 0;

  const conversationsOf = (visitor) => [...conversations.values()].filter((c) => c.visitor === visitor);

  function openConversation(visitor) {
    let c = conversationsOf(visitor).find((x) => x.open);
    if (!c) {
      c = { id: nextConversationId++, visitor, messages: [], last_seq: 0, open: true };
      conversations.set(c.id, c);
    }
    return c;
  }

  function store(c, fields) {
    const m = {
      id: nextMessageId++,
      conversation_id: c.id,
      seq: ++c.last_seq,
      channel_id: 1,
      created_at: timestamp(),
      parts: [],
      ...fields,
    };
    c.messages.push(m);
    return m;
  }

  const send = (ws, obj) => { if (ws.readyState === 1) ws.send(JSON.stringify(obj)); };

  function pushToVisitor(c, m, except) {
    if (m.direction === 'note') return;
    for (const ws of visitorSockets) {
      if (ws !== except && ws.visitor === c.visitor && ws.welcomed) send(ws, { type: 'message', conversation: c.id, message: m });
    }
  }
  function pushToAgents(c, m) {
    for (const ws of agentSockets) send(ws, { type: 'message.created', conversation: c.id, message: m });
  }
  function typingToVisitor(c, on, who) {
    for (const ws of visitorSockets) {
      if (ws.visitor === c.visitor && ws.welcomed) send(ws, { type: 'typing', conversation: c.id, on, who });
    }
  }

  function agentReply(conversationId, content, name = opt.agentName) {
    const c = conversations.get(Number(conversationId));
    if (!c) throw new Error(`no conversation ${conversationId}`);
    const parts = typeof content === 'string' ? [{ type: 'text', text: content }] : content;
    const m = store(c, { direction: 'out', sender: { type: 'agent', id: '1', name }, parts, delivery_status: 'sent' });
    pushToVisitor(c, m);
    pushToAgents(c, m);
    return m;
  }

  function note(conversationId, text = 'internal note') {
    const c = conversations.get(Number(conversationId));
    const m = store(c, { direction: 'note', sender: { type: 'agent', id: '1', name: opt.agentName }, parts: [{ type: 'text', text }] });
    pushToAgents(c, m);
    return m;
  }

  // ------------------------------------------------------------ HTTP
  const http = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://x');
      if (req.method === 'GET' && (url.pathname === '/widget.js' || url.pathname === '/widget.css')) {
        const body = await readFile(path.join(WIDGET_DIR, url.pathname.slice(1)));
        res.writeHead(200, { 'content-type': TYPES[path.extname(url.pathname)], 'cache-control': 'no-cache' });
        return res.end(body);
      }
      if (req.method === 'GET' && url.pathname === '/demo') {
        const html = (await readFile(path.join(WIDGET_DIR, 'demo.html'), 'utf8')).replaceAll('{{CHANNEL_KEY}}', opt.channelKey);
        res.writeHead(200, { 'content-type': TYPES['.html'] });
        return res.end(html);
      }
      if (req.method === 'GET' && pages.has(url.pathname)) {
        res.writeHead(200, { 'content-type': TYPES['.html'] });
        return res.end(pages.get(url.pathname));
      }
      const m = url.pathname.match(/^\/v1\/conversations\/(\d+)\/messages$/);
      if (req.method === 'POST' && m) {
        if (req.headers.authorization !== `Bearer ${opt.agentToken}`) return json(res, 401, { error: { code: 'unauthorized', message: 'bad token' } });
        const c = conversations.get(Number(m[1]));
        if (!c) return json(res, 404, { error: { code: 'not_found', message: 'no such conversation' } });
        let body;
        try { body = JSON.parse(await readBody(req)); } catch { return json(res, 400, { error: { code: 'bad_request', message: 'bad JSON' } }); }
        const content = typeof body.text === 'string' && body.text ? body.text : body.parts;
        if (!content || (Array.isArray(content) && !content.length)) return json(res, 400, { error: { code: 'bad_request', message: 'a reply needs `text` or `parts`' } });
        const msg = body.private ? note(c.id, body.text) : agentReply(c.id, content);
        return json(res, 201, { ...msg, duplicate: false });
      }
      json(res, 404, { error: { code: 'not_found', message: 'no such route' } });
    } catch (e) {
      json(res, 500, { error: { code: 'internal', message: String(e) } });
    }
  });
  const json = (res, status, obj) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(obj)); };
  const readBody = (req) => new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

  // ------------------------------------------------------------ WebSocket
  const wss = new WebSocketServer({ noServer: true, maxPayload: opt.maxPayload });
  const rt = createServer((req, res) => json(res, 426, { error: { code: 'upgrade_required', message: 'WebSocket only' } }));
  let allowedOrigins = [];

  rt.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url, 'http://x');
    const refuse = (code, text) => { socket.end(`HTTP/1.1 ${code} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`); };
    if (url.pathname === '/v1/ws/visitor') {
      // like the gateway, the channel key and the Origin are checked at hello
      wss.handleUpgrade(req, socket, head, (ws) => visitorConnection(ws, req.headers.origin));
    } else if (url.pathname === '/v1/ws/agent') {
      if (url.searchParams.get('token') !== opt.agentToken) return refuse(401, 'Unauthorized');
      wss.handleUpgrade(req, socket, head, (ws) => {
        agentSockets.add(ws);
        ws.on('close', () => agentSockets.delete(ws));
        ws.on('message', () => {});
      });
    } else {
      refuse(404, 'Not Found');
    }
  });

  function visitorConnection(ws, origin) {
    ws.origin = origin;
    visitorSockets.add(ws);
    ws.on('close', () => visitorSockets.delete(ws));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text frames only');
      if (ws.frozen) return; // a dead peer: reads nothing, answers nothing
      let f;
      try { f = JSON.parse(data.toString('utf8')); } catch { return send(ws, { type: 'error', code: 'bad_frame', message: 'not JSON' }); }
      frames.push({ visitor: f.type === 'hello' ? f.visitor : ws.visitor, frame: f });
      if (opt.log) console.log('visitor >', JSON.stringify(f));
      if (f.type === 'ping') return send(ws, { type: 'pong' });
      if (f.type === 'hello') return onHello(ws, f);
      if (!ws.welcomed) return send(ws, { type: 'error', code: 'hello_first', message: 'send hello first' });
      if (f.type === 'send') return onSend(ws, f);
      if (f.type === 'typing') {
        for (const a of agentSockets) send(a, { type: 'typing', visitor: ws.visitor, on: !!f.on });
        return;
      }
      if (f.type === 'read') {
        reads.set(Number(f.conversation), Math.max(reads.get(Number(f.conversation)) || 0, Number(f.seq)));
        return;
      }
      send(ws, { type: 'error', code: 'unknown_type', message: `unknown frame type ${f.type}` });
    });
  }

  function onHello(ws, f) {
    if (f.channel !== opt.channelKey) {
      send(ws, { type: 'error', code: 'unknown_channel', message: 'cannot start a chat on this channel' });
      return ws.close(1008, 'unknown channel');
    }
    if (!allowedOrigins.includes(ws.origin)) {
      send(ws, { type: 'error', code: 'origin_not_allowed', message: 'this site may not use the channel' });
      return ws.close(1008, 'origin not allowed');
    }
    if (typeof f.visitor !== 'string' || !f.visitor || f.visitor.length > 128) {
      send(ws, { type: 'error', code: 'bad_visitor', message: 'visitor: expected a string of 1 to 128 characters' });
      return ws.close(1008, 'bad visitor');
    }
    ws.visitor = f.visitor;
    const mine = conversationsOf(f.visitor);
    send(ws, { type: 'welcome', visitor: f.visitor, conversations: mine.map((c) => c.id) });
    // Replay before anything live: everything after last_seq, in seq order.
    const last = (f.last_seq && typeof f.last_seq === 'object') ? f.last_seq : {};
    for (const c of mine) {
      const after = Number(last[c.id] ?? last[String(c.id)] ?? 0);
      for (const m of c.messages) if (m.seq > after && m.direction !== 'note') send(ws, { type: 'message', conversation: c.id, message: m });
    }
    ws.welcomed = true;
  }

  function onSend(ws, f) {
    if (typeof f.client_msg_id !== 'string' || !f.client_msg_id || f.client_msg_id.length > 128) {
      return send(ws, { type: 'error', code: 'bad_request', message: 'client_msg_id: expected a string of 1 to 128 characters' });
    }
    if (typeof f.text !== 'string' || !f.text.trim()) {
      return send(ws, { type: 'error', code: 'bad_request', message: 'text: expected a non-empty string', client_msg_id: f.client_msg_id });
    }
    if (dropSends) return; // simulate a hub that never answers
    if (failSends > 0) {
      failSends--;
      return send(ws, { type: 'error', code: 'store_unavailable', message: 'the message was not stored; send it again', client_msg_id: f.client_msg_id });
    }
    const key = `${ws.visitor}\n${f.client_msg_id}`;
    const ack = (m) => setTimeout(() => send(ws, { type: 'ack', client_msg_id: f.client_msg_id, id: m.id, seq: m.seq, conversation: m.conversation_id }), ackDelay);
    const dup = byClientMsgId.get(key);
    if (dup) return ack(dup); // idempotent: same answer, nothing stored or pushed twice
    const c = openConversation(ws.visitor);
    const m = store(c, { direction: 'in', sender: { type: 'contact', id: ws.visitor, name: 'Visitor' }, external_id: `v:${ws.visitor}:${f.client_msg_id}`, parts: [{ type: 'text', text: f.text }] });
    byClientMsgId.set(key, m);
    ack(m);
    pushToVisitor(c, m, opt.echoToSender ? null : ws);
    pushToAgents(c, m);
    if (opt.autoReply) {
      setTimeout(() => typingToVisitor(c, true, opt.agentName), opt.autoReplyDelay);
      setTimeout(() => { typingToVisitor(c, false, opt.agentName); agentReply(c.id, opt.autoReplyText); }, opt.autoReplyDelay * 3);
    }
  }

  // ------------------------------------------------------------ listen on P and P+1
  const listen = (server, port) => new Promise((resolve, reject) => {
    const onError = (e) => { server.off('listening', onListening); reject(e); };
    const onListening = () => { server.off('error', onError); resolve(server.address().port); };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, opt.host);
  });
  let port;
  for (let tries = 0; ; tries++) {
    port = await listen(http, opt.port);
    try {
      await listen(rt, port + 1);
      break;
    } catch (e) {
      await new Promise((r) => http.close(r));
      if (opt.port || tries > 20) throw e;
    }
  }
  const url = `http://${opt.host}:${port}`;
  allowedOrigins = [url, `http://localhost:${port}`];

  return {
    url,
    rtUrl: `ws://${opt.host}:${port + 1}`,
    channelKey: opt.channelKey,
    agentToken: opt.agentToken,
    options: opt,
    conversations,
    frames,
    reads,
    agentReply,
    note,
    typing: (conversationId, on, who = opt.agentName) => typingToVisitor(conversations.get(Number(conversationId)), on, who),
    conversationOf: (visitor) => conversationsOf(visitor)[0],
    visitorConnections: () => [...visitorSockets].filter((ws) => ws.readyState === 1),
    /** Cut every visitor connection without a close frame (a network drop). */
    dropVisitors: () => { for (const ws of visitorSockets) ws.terminate(); },
    /** Serve a host page of the test's own at `path` (same origin as /demo). */
    addPage: (pagePath, html) => { pages.set(pagePath, html); },
    setAckDelay: (ms) => { ackDelay = ms; },
    setDropSends: (on) => { dropSends = on; },
    /** The next n sends are answered with a transient store_unavailable error. */
    setFailSends: (n) => { failSends = n; },
    /** Current visitor sockets stop reading and answering (a half-open connection). */
    freezeVisitors: () => { for (const ws of visitorSockets) ws.frozen = true; },
    async close() {
      for (const ws of [...visitorSockets, ...agentSockets]) ws.terminate();
      wss.close();
      await Promise.all([new Promise((r) => http.close(r)), new Promise((r) => rt.close(r))]);
    },
  };
}

// ------------------------------------------------------------ CLI
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const arg = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
  const hub = await startMockHub({
    port: Number(arg('--port', 8080)),
    host: arg('--host', '127.0.0.1'),
    autoReply: !args.includes('--no-auto-reply'),
    log: true,
  });
  console.log(`mock hub: demo ${hub.url}/demo   realtime ${hub.rtUrl}   channel ${hub.channelKey}   agent token ${hub.agentToken}`);
  const stop = async () => { await hub.close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
