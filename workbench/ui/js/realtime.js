// The agent socket (/v1/ws/agent?token=) on the realtime hub: JSON frames in
// and out, a keepalive ping, and reconnects with exponential backoff and
// jitter. It only reports what happens; catching up after a reconnect is the
// caller's job (WorkbenchState.resync), since the hub does not replay agent
// events.

const PING_EVERY_MS = 20_000;
const PONG_WITHIN_MS = 10_000;

/** Backoff before reconnect attempt n (0-based): 0.5 s doubling to 15 s, ±30 % jitter. */
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(15_000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.7 + 0.6 * random()));
}

export class AgentSocket extends EventTarget {
  /** url: ws(s)://host:port of the hub; token: the bearer token. */
  constructor(url, token) {
    super();
    this.url = `${url.replace(/\/+$/, '')}/v1/ws/agent?token=${encodeURIComponent(token)}`;
    this.ws = null;
    this.attempt = 0;
    this.state = 'connecting'; // connecting | open | closed
    this.stopped = false;
    this.timers = { reconnect: 0, ping: 0, pong: 0 };
    this.onOnline = () => { if (this.state !== 'open') this.reconnectNow(); };
  }

  start() {
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    this.open();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    this.clearTimers();
    if (this.ws) {
      this.ws.onclose = null;
      try { this.ws.close(1000); } catch { /* already closed */ }
      this.ws = null;
    }
    this.setState('closed');
  }

  /** Sends a frame if the socket is open; false otherwise (the caller falls back to HTTP). */
  send(frame) {
    if (this.state !== 'open' || !this.ws) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  reconnectNow() {
    if (this.stopped) return;
    clearTimeout(this.timers.reconnect);
    if (this.ws) {
      this.ws.onclose = null;
      try { this.ws.close(); } catch { /* ignore */ }
      this.ws = null;
    }
    this.open();
  }

  open() {
    if (this.stopped) return;
    this.setState('connecting');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.setState('open');
      this.schedulePing();
    };
    ws.onmessage = (ev) => {
      this.schedulePing(); // any frame proves the socket is alive
      let frame;
      try { frame = JSON.parse(ev.data); } catch { return; }
      if (frame?.type === 'pong') return;
      this.dispatchEvent(new CustomEvent('frame', { detail: frame }));
    };
    // A refused upgrade, a dropped network, a closed tab on the server side:
    // all end here, and all are retried.
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.clearTimers();
      if (ev.code === 1008 || ev.code === 4401) this.dispatchEvent(new CustomEvent('refused', { detail: ev.code }));
      this.scheduleReconnect();
    };
    ws.onerror = () => { /* onclose follows and reconnects */ };
  }

  scheduleReconnect() {
    if (this.stopped) return;
    this.setState('closed');
    clearTimeout(this.timers.reconnect);
    this.timers.reconnect = setTimeout(() => this.open(), backoffDelay(this.attempt++));
  }

  // A half-open socket (a laptop that slept, a NAT that forgot us) sends no
  // close: a ping unanswered in time counts as a drop.
  schedulePing() {
    clearTimeout(this.timers.ping);
    clearTimeout(this.timers.pong);
    this.timers.ping = setTimeout(() => {
      if (!this.send({ type: 'ping' })) return;
      this.timers.pong = setTimeout(() => this.reconnectNow(), PONG_WITHIN_MS);
    }, PING_EVERY_MS);
  }

  clearTimers() {
    for (const k of Object.keys(this.timers)) clearTimeout(this.timers[k]);
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: state }));
  }
}
