// The workbench's live state: the inbox, the open conversations' timelines,
// typing and read signals, and keeping all of it in step with the server.
//
// Consistency rule: the agent socket only brings news; the REST API is the
// truth. Every time the socket (re)opens, the inbox is fetched again and
// each loaded timeline asks for messages?after_seq=<contiguous>, so whatever
// happened while the socket was down arrives once; Timeline dedupes by seq
// the overlap between that fetch and live events.
import { api, query, randomId, session, ApiError } from './api.js';
import { AgentSocket } from './realtime.js';
import { Timeline } from './timeline.js';
import { conversationView } from './format.js';
import * as features from './features.js';

const PAGE = 50;

export class WorkbenchState extends EventTarget {
  constructor(me) {
    super();
    this.me = me;                    // {id, login, name, role, team_ids?}
    this.filters = { view: 'all', status: '', channel: '', tag: '', q: '' };
    this.conversations = new Map();  // id -> conversation JSON
    this.order = [];                 // ids as listed
    this.next = null;                // cursor of the next inbox page
    this.loading = false;
    this.timelines = new Map();      // id -> Timeline (conversations opened this session)
    this.lastMessage = new Map();    // id -> newest message seen
    this.typing = new Map();         // id -> {who, until}
    this.visitorRead = new Map();    // id -> highest seq the customer has read
    this.channels = new Map();       // id -> {id, type, name} (GET /v1/channels)
    this.agents = [];
    this.teams = [];
    this.queueLength = null;
    this.queueLongestWaitS = null;
    this.connection = 'connecting';
    this.selected = null;
    this.readSaves = new Map();      // id -> {again}: a read mark being saved
    this.assignedToMe = null;        // Set of ids, null until the first inbox load
    this.offers = new Map();         // id -> expires_at
    this.inboxRefresh = { running: false, again: false };
    this.catchingUp = new Map();     // id -> {running, again}
    this.lastTyping = new Map();     // id -> {on, at}: the last typing frame sent
  }

  // ------------------------------------------------------------ lifecycle

  async start() {
    await Promise.all([this.loadDirectory(), this.refreshInbox()]);
    this.socket = new AgentSocket(features.realtimeUrl(), session.token);
    this.socket.addEventListener('state', (e) => {
      this.connection = e.detail;
      this.emit('connection');
      if (e.detail === 'open') this.resync();
    });
    this.socket.addEventListener('frame', (e) => this.onFrame(e.detail));
    this.socket.start();
  }

  stop() {
    this.socket?.stop();
  }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }

  /** After a (re)connect: the inbox, then every loaded timeline, from where each left off. */
  async resync() {
    await this.refreshInbox();
    await Promise.all([...this.timelines.keys()].map((id) => this.catchUp(id).then(() => this.rereadDeliveries(id))));
  }

  // Agents, teams and (for admins) channels: names for ids, transfer targets.
  async loadDirectory() {
    const jobs = [];
    if (features.has('GET', '/v1/agents')) jobs.push(api.get('/v1/agents').then((r) => { this.agents = r?.items || r || []; }));
    if (features.has('GET', '/v1/teams')) jobs.push(api.get('/v1/teams').then((r) => { this.teams = r?.items || r || []; }));
    if (features.has('GET', '/v1/channels')) {
      jobs.push(api.get('/v1/channels').then((r) => {
        this.channels = new Map((r?.items || []).map((c) => [Number(c.id), c]));
      }));
    }
    await Promise.allSettled(jobs);
  }

  // ------------------------------------------------------------ inbox

  view(id) { return conversationView(this.conversations.get(id) || { id }, this.channels); }

  agentName(id) {
    if (Number(id) === Number(this.me.id)) return this.me.name || this.me.login;
    const a = this.agents.find((x) => Number(x.id) === Number(id));
    return a ? a.name || a.login : `#${id}`;
  }

  teamName(id) {
    return this.teams.find((x) => Number(x.id) === Number(id))?.name || `#${id}`;
  }

  setFilters(patch) {
    Object.assign(this.filters, patch);
    return this.refreshInbox();
  }

  inboxQuery(cursor) {
    const f = this.filters;
    return `/v1/conversations${query({ view: f.view, status: f.status, channel: f.channel, tag: f.tag, q: f.q, limit: PAGE, cursor })}`;
  }

  /** The first page of the inbox again; concurrent calls collapse into one more run. */
  async refreshInbox() {
    const guard = this.inboxRefresh;
    if (guard.running) { guard.again = true; return; }
    guard.running = true;
    this.loading = true;
    this.emit('inbox');
    try {
      do {
        guard.again = false;
        const page = await api.get(this.inboxQuery());
        this.replaceInbox(page?.items || []);
        this.next = page?.next || null;
      } while (guard.again);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) this.emit('error', e);
    } finally {
      guard.running = false;
      this.loading = false;
      this.emit('inbox');
    }
  }

  async loadMore() {
    if (!this.next) return;
    const page = await api.get(this.inboxQuery(this.next));
    for (const c of page?.items || []) this.upsert(c);
    this.next = page?.next || null;
    this.emit('inbox');
  }

  replaceInbox(items) {
    const keep = new Set(this.timelines.keys());
    if (this.selected) keep.add(this.selected);
    for (const id of [...this.conversations.keys()]) if (!keep.has(id)) this.conversations.delete(id);
    this.order = [];
    for (const c of items) this.upsert(c);
    this.noticeAssignments();
  }

  upsert(c) {
    const id = Number(c.id);
    const prev = this.conversations.get(id);
    const merged = prev ? { ...prev, ...c } : c;
    this.conversations.set(id, merged);
    if ('status' in c) { // a whole conversation: no "offer" means none
      if (c.offer && Number(c.offer.agent) === Number(this.me.id)) this.offers.set(id, c.offer.expires_at || null);
      else this.offers.delete(id);
    }
    if (!this.order.includes(id)) this.order.push(id);
  }

  /**
   * Ids to list: the filters applied again on what the client knows (a live
   * event may not fit the view), newest activity first as the server orders
   * them — except the queue, which keeps the server's queue order.
   */
  listed() {
    const ids = this.order.filter((id) => this.matchesFilters(this.view(id)));
    if (this.filters.view === 'queued') return ids;
    const at = (id) => Date.parse(this.conversations.get(id)?.last_message_at || '') || 0;
    return ids.sort((a, b) => at(b) - at(a) || b - a);
  }

  matchesFilters(v) {
    const f = this.filters;
    if (f.status && v.status && v.status !== f.status) return false;
    if (f.channel && v.channelType !== 'unknown' && v.channelType !== f.channel) return false;
    if (f.tag && !v.tags.includes(f.tag)) return false;
    if (f.view === 'mine' && v.assigneeId !== null && v.assigneeId !== Number(this.me.id)) return false;
    if (f.view === 'queued' && v.status && v.status !== 'queued') return false;
    return true;
  }

  /** Customer messages after my read mark (the server counts them, capped at 100; live ones are added here). */
  unread(id) {
    return Number(this.conversations.get(id)?.unread) || 0;
  }

  /**
   * I have read the conversation up to seq: the mark moves forward here at
   * once and is saved on the server (PUT .../read), which keeps it per agent
   * for every browser and tells my other tabs.
   */
  markRead(id, seq) {
    const c = this.conversations.get(id);
    if (!c || !(seq > (Number(c.read_seq) || 0))) return;
    c.read_seq = seq;
    if (seq >= (Number(c.last_seq) || 0)) c.unread = 0;
    this.emit('inbox');
    this.saveReadMark(id);
  }

  // One request per conversation at a time; marks made meanwhile go in one more.
  saveReadMark(id) {
    if (!features.has('PUT', '/v1/conversations/{id}/read')) return;
    const running = this.readSaves.get(id);
    if (running) {
      running.again = true;
      return;
    }
    const job = { again: false };
    this.readSaves.set(id, job);
    (async () => {
      do {
        job.again = false;
        const seq = Number(this.conversations.get(id)?.read_seq) || 0;
        try {
          this.applyReadMark(id, await api.put(`/v1/conversations/${id}/read`, { seq }));
        } catch { /* kept locally; the next mark saves it */ }
      } while (job.again);
      this.readSaves.delete(id);
    })();
  }

  // The server's answer to a mark, or a conversation.read frame from my other tab.
  applyReadMark(id, r) {
    const c = this.conversations.get(id);
    const seq = Number(r?.read_seq);
    if (!c || !Number.isFinite(seq)) return;
    if (seq > (Number(c.read_seq) || 0)) c.read_seq = seq;
    if (r.unread !== undefined) c.unread = Number(r.unread) || 0;
    else if (seq >= (Number(c.last_seq) || 0)) c.unread = 0;
    this.emit('inbox');
  }

  // A conversation newly assigned or offered to me beeps and notifies. The
  // first inbox load only learns what is already mine.
  noticeAssignments() {
    const mine = new Set();
    for (const [id, c] of this.conversations) {
      const v = conversationView(c, this.channels);
      if (v.assigneeId === Number(this.me.id) && v.status === 'assigned') mine.add(id);
    }
    if (this.assignedToMe) {
      for (const id of mine) if (!this.assignedToMe.has(id)) this.emit('assigned', { id, kind: 'assigned' });
    }
    this.assignedToMe = mine;
  }

  // ------------------------------------------------------------ timelines

  timeline(id) {
    let tl = this.timelines.get(id);
    if (!tl) {
      tl = new Timeline(id);
      this.timelines.set(id, tl);
    }
    return tl;
  }

  async open(id) {
    this.selected = id;
    this.emit('inbox');
    const jobs = [this.catchUp(id)];
    if (!this.conversations.has(id) || !this.conversations.get(id).status) {
      jobs.push(api.get(`/v1/conversations/${id}`).then((c) => { this.upsert(c); this.emit('conversation', id); }));
    }
    await Promise.all(jobs);
    const tl = this.timeline(id);
    this.markRead(id, Math.max(tl.maxSeq, Number(this.conversations.get(id)?.last_seq) || 0));
  }

  close(id) {
    if (this.selected === id) this.selected = null;
  }

  /** Fetches every message after the timeline's contiguous seq (paged). Collapses concurrent calls. */
  async catchUp(id) {
    let guard = this.catchingUp.get(id);
    if (!guard) this.catchingUp.set(id, (guard = { running: false, again: false }));
    if (guard.running) { guard.again = true; return; }
    guard.running = true;
    const tl = this.timeline(id);
    try {
      do {
        guard.again = false;
        for (let after = tl.contiguous; ;) {
          const page = await api.get(`/v1/conversations/${id}/messages?after_seq=${after}&limit=200`);
          const items = page?.items || [];
          tl.merge(items);
          this.noteLastMessage(id, items[items.length - 1]);
          if (page?.next === null || page?.next === undefined || !items.length) break;
          after = Number(page.next);
        }
      } while (guard.again);
    } catch (e) {
      this.emit('timeline-error', { id, error: e });
    } finally {
      guard.running = false;
      this.emit('timeline', id);
    }
  }

  noteLastMessage(id, m) {
    if (!m) return;
    const prev = this.lastMessage.get(id);
    if (!prev || Number(m.seq) >= Number(prev.seq)) this.lastMessage.set(id, m);
    const c = this.conversations.get(id);
    if (c && Number(m.seq) > (Number(c.last_seq) || 0)) {
      c.last_seq = Number(m.seq);
      if (m.created_at) c.last_message_at = m.created_at; // moves it up the list
    }
  }

  // ------------------------------------------------------------ sending

  /**
   * Stores a reply (or with isPrivate a note) over HTTP with a client_msg_id,
   * so sending it again after an error can never make a second message.
   * attachments: parts from POST /v1/files, sent after the text.
   */
  async send(id, text, { isPrivate = false, clientMsgId = randomId(), attachments = [] } = {}) {
    const tl = this.timeline(id);
    const parts = [...(text ? [{ type: 'text', text }] : []), ...attachments];
    const body = { ...(attachments.length ? { parts } : { text }), client_msg_id: clientMsgId, private: isPrivate };
    if (!tl.local.has(clientMsgId)) tl.addLocal({ client_msg_id: clientMsgId, parts, private: isPrivate, direction: isPrivate ? 'note' : 'out' });
    else Object.assign(tl.local.get(clientMsgId), { state: 'sending', error: '' });
    this.emit('timeline', id);
    this.typingSignal(id, false);
    for (let attempt = 0; ; attempt++) {
      try {
        const stored = await api.post(`/v1/conversations/${id}/messages`, body);
        tl.settleLocal(clientMsgId, stored);
        this.noteLastMessage(id, stored);
        this.markRead(id, Number(stored.seq) || 0);
        break;
      } catch (e) {
        // The network or a store hiccup: the same client_msg_id again is safe.
        const transient = e instanceof ApiError && (e.status === 0 || e.status === 503 || e.status === 502);
        if (transient && attempt < 3) {
          await new Promise((r) => setTimeout(r, 600 * 2 ** attempt));
          continue;
        }
        tl.failLocal(clientMsgId, e.message);
        break;
      }
    }
    this.emit('timeline', id);
    this.emit('inbox');
  }

  canRetryDelivery() { return features.has('POST', '/v1/conversations/{id}/messages/{message_id}/retry'); }

  /**
   * A reply whose delivery failed, sent again: the same message goes back to
   * the outbox; message.updated frames then show it pending and sent (or
   * failed again).
   */
  async retryDelivery(id, message) {
    const tl = this.timeline(id);
    const stored = tl.byId(message.id);
    if (!stored || stored.retrying) return;
    stored.retrying = true;
    delete stored.retry_error;
    this.emit('timeline', id);
    try {
      const answer = await api.post(`/v1/conversations/${id}/messages/${message.id}/retry`);
      // Frames may have overtaken the answer (pending, even sent): they are newer.
      if (tl.byId(message.id)?.delivery_status === 'failed') tl.applyUpdate(answer);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        // No longer failed (someone sent it again first): read it as it is.
        const page = await api.get(`/v1/conversations/${id}/messages?after_seq=${Number(message.seq) - 1}&limit=1`).catch(() => null);
        if (page?.items?.[0]) tl.applyUpdate(page.items[0]);
      } else if (e instanceof ApiError && e.status === 404) {
        this.emit('timeline-error', { id, error: e });
      } else {
        const now = tl.byId(message.id);
        if (now) now.retry_error = e.message;
      }
    } finally {
      const now = tl.byId(message.id);
      if (now) delete now.retrying;
      this.emit('timeline', id);
    }
  }

  /** Local reply the store never confirmed: the same client_msg_id again. */
  retryLocal(id, clientMsgId) {
    const entry = this.timeline(id).local.get(clientMsgId);
    if (!entry) return Promise.resolve();
    const text = entry.parts.filter((p) => p.type === 'text').map((p) => p.text).join('\n');
    const attachments = entry.parts.filter((p) => p.type !== 'text');
    return this.send(id, text, { isPrivate: entry.private, clientMsgId, attachments });
  }

  // While the socket is open, message.updated frames bring every delivery
  // change; after a (re)connect the replies still pending are read once,
  // from the oldest of them (merge only moves states forward, so a frame
  // that overtakes this read is never undone).
  async rereadDeliveries(id) {
    const tl = this.timelines.get(id);
    const pending = tl ? tl.pendingDeliveries() : [];
    if (!pending.length) return;
    const after = Math.min(...pending.map((m) => Number(m.seq))) - 1;
    try {
      const page = await api.get(`/v1/conversations/${id}/messages?after_seq=${after}&limit=200`);
      tl.merge(page?.items || []);
      this.emit('timeline', id);
    } catch (e) {
      this.emit('timeline-error', { id, error: e });
    }
  }

  // {"type":"message.updated","conversation":id,"message":{id, seq, delivery_status, delivery_error?}}
  onMessageUpdated(f) {
    const id = Number(f.conversation ?? f.message?.conversation_id);
    const tl = id ? this.timelines.get(id) : undefined;
    if (!tl || !f.message) return;
    // Not here yet (its message.created is still on the way): read up to it.
    if (!tl.applyUpdate(f.message)) {
      if (Number(f.message.seq) > tl.contiguous) this.catchUp(id);
      return;
    }
    this.emit('timeline', id);
  }

  // ------------------------------------------------------------ typing

  /** Tells the customer the agent is typing (throttled to one "on" per 3 s). */
  typingSignal(id, on) {
    const now = Date.now();
    const last = this.lastTyping.get(id) || { on: false, at: 0 };
    if (on && last.on && now - last.at < 3000) return;
    if (!on && !last.on) return;
    if (this.socket?.send({ type: 'typing', conversation: id, on })) this.lastTyping.set(id, { on, at: now });
  }

  // ------------------------------------------------------------ actions

  // Each action answers with the conversation after the change
  // (gateway/http/conversation_action_routes.cpp).
  async act(id, action, body = {}) {
    this.changed(await api.post(`/v1/conversations/${id}/${action}`, body));
  }

  async patch(id, body) {
    this.changed(await api.patch(`/v1/conversations/${id}`, body));
  }

  changed(c) {
    this.upsert(c);
    this.noticeAssignments();
    this.emit('conversation', Number(c.id));
    this.emit('inbox');
  }

  // ------------------------------------------------------------ socket frames

  onFrame(f) {
    switch (f.type) {
      case 'message.created': return this.onMessage(Number(f.conversation ?? f.message?.conversation_id), f.message);
      case 'message.updated': return this.onMessageUpdated(f);
      case 'typing': return this.onTyping(f);
      case 'read': {
        const id = Number(f.conversation);
        this.visitorRead.set(id, Math.max(this.visitorRead.get(id) || 0, Number(f.seq) || 0));
        return this.emit('timeline', id);
      }
      case 'conversation.updated': return this.onConversationUpdated(f);
      case 'conversation.offered': {
        const id = Number(f.conversation?.id);
        if (!id) return undefined;
        this.upsert(f.conversation);
        this.offers.set(id, f.expires_at || null);
        this.emit('assigned', { id, kind: 'offered' });
        this.emit('conversation', id);
        return this.emit('inbox');
      }
      case 'queue.updated':
        this.queueLength = Number(f.length) || 0;
        this.queueLongestWaitS = f.longest_wait_s ?? null;
        return this.emit('queue');
      case 'conversation.read': return this.applyReadMark(Number(f.conversation), { read_seq: f.read_seq });
      case 'resync': // the gateway missed events it would have sent (its database listener reconnected)
        return this.resync();
      case 'conversation.sla_breached': {
        const c = this.conversations.get(Number(f.conversation));
        if (c) c[f.kind === 'resolution' ? 'resolution_breached' : 'first_response_breached'] = true;
        return this.emit('inbox');
      }
      default:
        return undefined;
    }
  }

  onMessage(id, m) {
    if (!id || !m) return;
    const c = this.conversations.get(id);
    // Counted once: a message the inbox already reflects (last_seq) is not news.
    const fresh = c && Number(m.seq) > (Number(c.last_seq) || 0);
    this.noteLastMessage(id, m);
    if (c) {
      // My own replies (from this or another tab) are read by definition;
      // a customer's message is news until I look.
      if (m.sender?.type === 'agent' && String(m.sender?.id) === String(this.me.id)) this.markRead(id, Number(m.seq));
      else if (fresh && m.direction === 'in' && Number(m.seq) > (Number(c.read_seq) || 0)) c.unread = (Number(c.unread) || 0) + 1;
    } else {
      this.scheduleInboxRefresh();
    }
    if (this.timelines.has(id)) {
      const tl = this.timelines.get(id);
      tl.merge([m]);
      if (tl.gap) this.catchUp(id);
      if (m.direction === 'in') this.typing.delete(id);
      this.emit('timeline', id);
      if (this.selected === id && document.visibilityState === 'visible') this.markRead(id, tl.maxSeq);
    }
    this.emit('inbox');
  }

  onTyping(f) {
    const id = Number(f.conversation);
    if (f.on) this.typing.set(id, { who: f.who || '', until: Date.now() + 6000 });
    else this.typing.delete(id);
    this.emit('typing', id);
  }

  // {"type":"conversation.updated","conversation":{…the GET /v1/conversations/{id} JSON}}
  onConversationUpdated(f) {
    const c = f.conversation;
    const id = Number(c?.id);
    if (!id) return;
    const known = this.conversations.has(id);
    this.upsert(c);
    this.noticeAssignments();
    this.emit('conversation', id);
    this.emit('inbox');
    // A conversation new to this list: the server's filters decide whether it belongs.
    if (!known) this.scheduleInboxRefresh();
  }

  // Live news about a conversation the list does not hold: fetch the list
  // again (it applies the server's filters and permissions), soon but once.
  scheduleInboxRefresh() {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = 0;
      this.refreshInbox().then(() => this.noticeAssignments());
    }, 150);
  }
}
