// One conversation's messages as the agent sees them: every stored message
// exactly once, in seq order, plus the replies still on their way to the
// store. Pure logic (no DOM, no network), so node's test runner checks it.
//
// Seqs are gapless per conversation (private notes included, agents see
// them), so `contiguous` — the highest seq up to which nothing is missing —
// is what to ask the server for after a reconnect: messages?after_seq=contiguous.
// A live event that skips ahead leaves a gap; `gap` tells the caller to fetch.

export class Timeline {
  constructor(conversationId) {
    this.conversationId = conversationId;
    this.bySeq = new Map();   // seq -> stored message
    this.ids = new Map();     // message id -> seq
    this.contiguous = 0;
    this.local = new Map();   // client_msg_id -> {client_msg_id, parts, private, state, error, created_at}
  }

  /**
   * Adds or updates stored messages (from history pages, POST answers or
   * message.created events); returns the ones that were new.
   */
  merge(messages) {
    const added = [];
    for (const m of messages) {
      if (!m || !Number.isFinite(Number(m.seq)) || Number(m.seq) < 1) continue;
      const seq = Number(m.seq);
      const known = this.bySeq.get(seq);
      if (known) {
        // Same message again (a replay, a resync overlap): keep the freshest
        // delivery state, never a second copy.
        if (rank(m.delivery_status) >= rank(known.delivery_status)) this.bySeq.set(seq, { ...known, ...m });
        continue;
      }
      this.bySeq.set(seq, m);
      if (m.id !== undefined) this.ids.set(String(m.id), seq);
      added.push(m);
      this.dropLocalEcho(m);
    }
    while (this.bySeq.has(this.contiguous + 1)) this.contiguous++;
    return added;
  }

  /** True when a message beyond `contiguous` is known: something in between is missing. */
  get gap() {
    return this.maxSeq > this.contiguous;
  }

  get maxSeq() {
    let max = 0;
    for (const s of this.bySeq.keys()) if (s > max) max = s;
    return max;
  }

  byId(id) {
    const seq = this.ids.get(String(id));
    return seq === undefined ? undefined : this.bySeq.get(seq);
  }

  /** A reply typed by this agent, shown at once as "sending". */
  addLocal(entry) {
    this.local.set(entry.client_msg_id, { state: 'sending', created_at: new Date().toISOString(), ...entry });
  }

  /** The store answered for client_msg_id: the stored message replaces the local one. */
  settleLocal(clientMsgId, stored) {
    this.local.delete(clientMsgId);
    if (stored) this.merge([stored]);
  }

  /** The store refused or could not be reached: the local reply stays, marked with why. */
  failLocal(clientMsgId, error) {
    const entry = this.local.get(clientMsgId);
    if (entry) Object.assign(entry, { state: 'error', error });
  }

  // An agent reply's external_id is "agent:<agent id>:<client_msg_id>"
  // (gateway/replies.cpp): the event may beat the POST answer here.
  dropLocalEcho(m) {
    const ext = typeof m.external_id === 'string' ? m.external_id : '';
    if (!ext.startsWith('agent:') || !this.local.size) return;
    const clientMsgId = ext.slice(ext.indexOf(':', 6) + 1);
    this.local.delete(clientMsgId);
  }

  /** Stored messages in seq order, then the local ones in the order typed. */
  items() {
    const stored = [...this.bySeq.values()].sort((a, b) => Number(a.seq) - Number(b.seq));
    return [...stored, ...[...this.local.values()].map((l) => ({ ...l, local: true }))];
  }

  /**
   * A message.updated frame's message ({id, seq, delivery_status,
   * delivery_error?}) or the retry endpoint's answer: the delivery state as
   * it is now. Unlike merge it may move back (failed → pending when a reply
   * is sent again), since these arrive in the order the changes committed.
   * Returns false when the message is not here (yet): the caller catches up.
   */
  applyUpdate(update) {
    if (!update) return false;
    const seq = this.ids.get(String(update.id)) ?? Number(update.seq);
    const known = this.bySeq.get(seq);
    if (!known || (update.id !== undefined && known.id !== undefined && String(known.id) !== String(update.id))) return false;
    const next = { ...known, delivery_status: update.delivery_status };
    if (update.delivery_error) next.delivery_error = update.delivery_error;
    else delete next.delivery_error;
    if (update.delivery_status !== 'failed') delete next.retrying;
    this.bySeq.set(seq, next);
    return true;
  }

  /** Outbound messages whose delivery is still open (read again once after a reconnect). */
  pendingDeliveries() {
    return [...this.bySeq.values()].filter((m) => m.direction === 'out' && m.delivery_status === 'pending');
  }
}

// Delivery states only move forward: an older copy of a message (a history
// page fetched before the dispatcher finished) never undoes "sent".
function rank(status) {
  return { none: 0, pending: 1, sent: 2, failed: 2 }[status] ?? 0;
}
