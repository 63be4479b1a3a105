// A local stand-in for WeChat's Official Account API (api.weixin.qq.com) on
// 127.0.0.1, speaking its wire format, for the browser tests. The C++ tests
// have their own (tests/support/wechat_standin.*); this one runs inside the
// node test process so a spec can wait for the gateway's calls.
//   GET  /cgi-bin/token?grant_type=client_credential&appid=&secret=
//        -> {"access_token":"...","expires_in":7200}
//   POST /cgi-bin/message/custom/send?access_token=  {"touser","msgtype","text":{"content"}}
//        -> {"errcode":0,"errmsg":"ok"}
//   GET  /cgi-bin/get_api_domain_ip?access_token=    (the admin's connection test)
//        -> {"ip_list":["127.0.0.1"]}
// Errors are WeChat's: 40013 unknown appid, 40125 wrong secret, 40002 bad
// grant_type, 41001 no access_token, 40001 invalid token, 43002 not POST,
// 47001 body not JSON, 40003 no touser, 40008 unknown msgtype, 44004 empty text.
// Like WeChat, issuing a token invalidates the app's previous one.
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';

export async function startWechatStandin() {
  const apps = new Map();     // appid -> secret
  const tokens = new Map();   // token -> appid (valid ones)
  const current = new Map();  // appid -> newest token
  const requests = [];
  const waiters = [];

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://standin');
      const body = Buffer.concat(chunks).toString('utf8');
      let json = null;
      try { json = body ? JSON.parse(body) : null; } catch { json = null; }
      const answer = route(req.method, url, body, json);
      const record = { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), body, json, answer, at: Date.now() };
      requests.push(record);
      for (const w of [...waiters]) if (w.pred(record)) { waiters.splice(waiters.indexOf(w), 1); clearTimeout(w.timer); w.resolve(record); }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(answer));
    });
  });

  function route(method, url, body, json) {
    if (url.pathname === '/cgi-bin/token') {
      if (method !== 'GET') return { errcode: 43001, errmsg: 'require GET method' };
      const q = url.searchParams;
      if (q.get('grant_type') !== 'client_credential') return { errcode: 40002, errmsg: 'invalid grant_type' };
      const appid = q.get('appid') || '';
      if (!apps.has(appid)) return { errcode: 40013, errmsg: 'invalid appid' };
      if (apps.get(appid) !== q.get('secret')) return { errcode: 40125, errmsg: 'invalid appsecret' };
      const old = current.get(appid);
      if (old) tokens.delete(old);
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, appid);
      current.set(appid, token);
      return { access_token: token, expires_in: 7200 };
    }
    if (url.pathname === '/cgi-bin/get_api_domain_ip') {
      if (method !== 'GET') return { errcode: 43001, errmsg: 'require GET method' };
      const token = url.searchParams.get('access_token');
      if (!token) return { errcode: 41001, errmsg: 'access_token missing' };
      if (!tokens.has(token)) return { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' };
      return { ip_list: ['127.0.0.1'] };
    }
    if (url.pathname === '/cgi-bin/message/custom/send') {
      if (method !== 'POST') return { errcode: 43002, errmsg: 'require POST method' };
      const token = url.searchParams.get('access_token');
      if (!token) return { errcode: 41001, errmsg: 'access_token missing' };
      if (!tokens.has(token)) return { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' };
      if (!json || typeof json !== 'object') return { errcode: 47001, errmsg: 'data format error' };
      if (!json.touser) return { errcode: 40003, errmsg: 'invalid openid' };
      if (!['text', 'image', 'voice', 'video', 'music', 'news', 'mpnews', 'msgmenu', 'wxcard', 'miniprogrampage'].includes(json.msgtype)) {
        return { errcode: 40008, errmsg: 'invalid message type' };
      }
      if (json.msgtype === 'text' && !json.text?.content) return { errcode: 44004, errmsg: 'empty content' };
      return { errcode: 0, errmsg: 'ok' };
    }
    return { errcode: 404, errmsg: `no such API ${url.pathname}` };
  }

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    addApp(appid, secret) { apps.set(appid, secret); },
    requests,
    /** Accepted custom-send calls (errcode 0). */
    sends() { return requests.filter((r) => r.path === '/cgi-bin/message/custom/send' && r.answer.errcode === 0); },
    /** Resolves with the first request (past or future) matching pred. */
    waitFor(pred, what = 'request', ms = 20_000) {
      const seen = requests.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        w.timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`wechat stand-in: no ${what} within ${ms} ms; got ${JSON.stringify(requests.map((r) => [r.path, r.answer]))}`));
        }, ms);
        waiters.push(w);
      });
    },
    close() { return new Promise((resolve) => server.close(resolve)); },
  };
}

/**
 * An Official Account text message pushed to the channel's webhook in plain
 * mode, signed as WeChat signs it: signature = sha1 of token, timestamp and
 * nonce sorted and joined (the body is not covered in plain mode).
 */
export function signedWechatText({ inboundUrl, token, openid, toUser = 'gh_e2e_account', text, msgId }) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(Math.floor(Math.random() * 1e9));
  const signature = createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
  const cdata = (s) => `<![CDATA[${String(s).replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
  const body = `<xml><ToUserName>${cdata(toUser)}</ToUserName><FromUserName>${cdata(openid)}</FromUserName>`
    + `<CreateTime>${timestamp}</CreateTime><MsgType>${cdata('text')}</MsgType><Content>${cdata(text)}</Content>`
    + `<MsgId>${msgId}</MsgId></xml>`;
  const url = new URL(inboundUrl);
  url.searchParams.set('signature', signature);
  url.searchParams.set('timestamp', timestamp);
  url.searchParams.set('nonce', nonce);
  url.searchParams.set('openid', openid);
  return { url: url.href, body };
}

/** POSTs a signed text message; resolves with the gateway's answer text (WeChat expects "success" or a reply). */
export async function postWechatText(opts) {
  const { url, body } = signedWechatText(opts);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`wechat webhook: HTTP ${res.status}: ${text}`);
  return text;
}
