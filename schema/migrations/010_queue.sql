-- The queue and the conversation lifecycle: when a conversation waits, who
-- has it, offers, SLA clocks, the atomic capacity check, a history of every
-- change, and the notifications that drive the assigner and the realtime
-- events on every node. The C++ side: gateway/store/assignment_store.*,
-- gateway/store/lifecycle_store.*, gateway/assign/*.
--
-- Lifecycle rules (enforced here by triggers, so every code path obeys them):
--  * a new conversation starts `queued`; a queued conversation has no
--    assignee (it may carry an offer to one agent);
--  * taking a conversation (`assigned`) or an offer of one needs room in the
--    agent's capacity for the channel type, checked and taken in one atomic
--    step under a per-agent lock (og_agent_has_room), on every node;
--  * `snoozed` and `resolved` keep their assignee (whose conversation it was)
--    but free the capacity; a customer's message wakes a snoozed conversation
--    and reopens a recently resolved one, back into the queue, where the
--    router's sticky rule prefers the agent who had it (last_agent_id).

-- 1. Settings: the routing rules (the router's JSON, workbench/router/rules.h),
--    SLA targets and the reopen window. One row.
CREATE TABLE routing_rules (
  singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  rules           jsonb NOT NULL DEFAULT '{}',
  -- {"first_response_s": N, "resolution_s": N, "teams": {"<team id>": {...}}}:
  -- seconds from when the conversation opened (or reopened); a team's entry
  -- overrides the global one key by key; absent or 0: no SLA.
  sla             jsonb NOT NULL DEFAULT '{}',
  -- A customer writing within this long after a resolve reopens the
  -- conversation; later, a new conversation opens.
  reopen_window_s integer NOT NULL DEFAULT 259200 CHECK (reopen_window_s >= 0),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  updated_by      bigint REFERENCES agents(id) ON DELETE SET NULL
);
INSERT INTO routing_rules DEFAULT VALUES;

-- 2. Lifecycle columns.
ALTER TABLE conversations
  ADD COLUMN opened_at               timestamptz NOT NULL DEFAULT now(),  -- or reopened: the SLA clocks start here
  ADD COLUMN queued_at               timestamptz,  -- when it last entered the queue (its wait starts here)
  ADD COLUMN assigned_at             timestamptz,  -- when its current or last assignee took it
  ADD COLUMN snoozed_until           timestamptz,
  ADD COLUMN first_response_at       timestamptz,  -- first agent reply since it opened
  ADD COLUMN resolved_at             timestamptz,
  ADD COLUMN last_agent_id           bigint,  -- its latest assignee, kept after it leaves them (sticky routing)
  ADD COLUMN offer_agent_id          bigint,
  ADD COLUMN offer_expires_at        timestamptz,
  ADD COLUMN declined_by             bigint[] NOT NULL DEFAULT '{}',  -- offers that expired or were declined
  ADD COLUMN route_target            integer NOT NULL DEFAULT 0,      -- the router's place in its target list
  ADD COLUMN route_target_since      timestamptz,
  ADD COLUMN first_response_breached boolean NOT NULL DEFAULT false,
  ADD COLUMN resolution_breached     boolean NOT NULL DEFAULT false;
UPDATE conversations SET status = 'queued' WHERE status = 'assigned' AND assignee_id IS NULL;
UPDATE conversations SET opened_at = created_at,
  assignee_id = CASE WHEN status = 'queued' THEN NULL ELSE assignee_id END,
  queued_at = CASE WHEN status = 'queued' THEN coalesce(last_message_at, created_at) END,
  route_target_since = coalesce(last_message_at, created_at),
  last_agent_id = assignee_id;
-- What the triggers below keep true, stated where a reader of the table sees it.
ALTER TABLE conversations
  ADD CONSTRAINT conversations_assigned_has_assignee CHECK (status <> 'assigned' OR assignee_id IS NOT NULL),
  ADD CONSTRAINT conversations_queued_unassigned CHECK (status <> 'queued' OR assignee_id IS NULL);

-- Indexes. Every message updates its conversation row (last_seq) and that
-- update is never HOT (last_message_at is indexed), so each index that
-- holds a conversation costs the ingest path an insertion per message: the
-- partial ones below hold only states a busy conversation is rarely in,
-- except the queue's (customers do write while they wait). Assigned
-- conversations, where most messages go, are counted in agent_load instead
-- of an index.
CREATE INDEX conversations_queue ON conversations (priority DESC, queued_at, id) WHERE status = 'queued';
CREATE INDEX conversations_offered ON conversations (offer_agent_id) WHERE status = 'queued' AND offer_agent_id IS NOT NULL;
CREATE INDEX conversations_snoozed ON conversations (snoozed_until) WHERE status = 'snoozed';
CREATE INDEX conversations_resolved ON conversations (contact_id, channel_id, resolved_at) WHERE status = 'resolved';
-- Messages per minute over the last minutes (GET /v1/stats): a BRIN index
-- costs an append-only table next to nothing.
CREATE INDEX messages_created_brin ON messages USING brin (created_at);

-- The text of a message's text parts, for conversation search (q=). No
-- index: a trigram index would not serve Chinese in the embedded cluster's C
-- locale and would cost every ingest; searches are bounded instead
-- (ConversationStore::kSearchWindow).
CREATE FUNCTION og_message_text(p_parts jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(p ->> 'text', ' '), '') FROM jsonb_array_elements(p_parts) p WHERE p ->> 'type' = 'text'
$$;

-- 3. SLA targets of a team (or the global ones).
CREATE FUNCTION og_sla_interval(p_team bigint, p_key text) RETURNS interval
LANGUAGE sql STABLE AS $$
  SELECT make_interval(secs => s) FROM (
    SELECT coalesce(r.sla -> 'teams' -> (p_team::text) ->> p_key, r.sla ->> p_key)::double precision AS s
    FROM routing_rules r WHERE r.singleton) x  -- by its key: callers may run with enable_seqscan off
  WHERE s > 0
$$;

-- 4. Capacity. agent_load counts each agent's assigned conversations per
--    channel type, kept by the trigger of section 7 on every change of status
--    or assignee (never by the ingest path).
CREATE TABLE agent_load (
  agent_id     bigint NOT NULL,
  channel_type text NOT NULL,
  assigned     integer NOT NULL DEFAULT 0 CHECK (assigned >= 0),
  PRIMARY KEY (agent_id, channel_type)
);
INSERT INTO agent_load (agent_id, channel_type, assigned)
SELECT c.assignee_id, ch.type, count(*) FROM conversations c JOIN channels ch ON ch.id = c.channel_id
WHERE c.status = 'assigned' GROUP BY 1, 2;

-- (The row proposed for insertion must pass the CHECK even when it
-- conflicts, hence greatest(): a decrement always finds its row.)
CREATE FUNCTION og_adjust_load(p_agent bigint, p_channel bigint, p_delta integer) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO agent_load AS l (agent_id, channel_type, assigned)
  SELECT p_agent, ch.type, greatest(p_delta, 0) FROM channels ch WHERE ch.id = p_channel
  ON CONFLICT (agent_id, channel_type) DO UPDATE SET assigned = l.assigned + p_delta
$$;

--    May `p_agent` take (or be offered) conversation
--    `p_conversation` of channel `p_channel`? Load = the agent's assigned
--    conversations (agent_load) plus live offers (other than this one), of
--    that channel type; capacity = agents.capacity[type], else ["default"],
--    else 0.
--    The advisory lock serializes every check-and-take for one agent across
--    transactions and nodes and is held until commit: the count (a fresh
--    snapshot, taken after the lock) sees every slot taken before, and no
--    one takes a slot after it until this transaction ends. Two nodes can
--    therefore never push an agent over capacity.
CREATE FUNCTION og_agent_has_room(p_agent bigint, p_channel bigint, p_conversation bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_type     text;
  v_capacity integer;
  v_load     bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(1869504322, (p_agent % 2147483647)::integer);
  SELECT ch.type INTO v_type FROM channels ch WHERE ch.id = p_channel;
  SELECT coalesce((a.capacity ->> v_type)::integer, (a.capacity ->> 'default')::integer, 0) INTO v_capacity
  FROM agents a WHERE a.id = p_agent AND NOT a.disabled;
  IF coalesce(v_capacity, 0) <= 0 THEN
    RETURN false;
  END IF;
  SELECT coalesce((SELECT l.assigned FROM agent_load l WHERE l.agent_id = p_agent AND l.channel_type = v_type), 0)
       + (SELECT count(*) FROM conversations c JOIN channels ch ON ch.id = c.channel_id
          WHERE c.status = 'queued' AND c.offer_agent_id = p_agent AND c.offer_expires_at > now()
            AND ch.type = v_type AND c.id <> p_conversation)
  INTO v_load;
  RETURN v_load < v_capacity;
END;
$$;

-- 5. The lifecycle bookkeeping and the capacity check, for every write.
CREATE FUNCTION og_conversation_lifecycle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.opened_at := now();
    NEW.first_response_due := coalesce(NEW.first_response_due, now() + og_sla_interval(NEW.team_id, 'first_response_s'));
    NEW.resolution_due := coalesce(NEW.resolution_due, now() + og_sla_interval(NEW.team_id, 'resolution_s'));
    IF NEW.status = 'queued' THEN
      NEW.assignee_id := NULL;
      NEW.queued_at := now();
      NEW.route_target_since := now();
    END IF;
  ELSE
    IF OLD.status = 'resolved' AND NEW.status <> 'resolved' THEN
      -- Reopened: a new round of service with fresh SLA clocks.
      NEW.opened_at := now();
      NEW.resolved_at := NULL;
      NEW.first_response_at := NULL;
      NEW.first_response_breached := false;
      NEW.resolution_breached := false;
      NEW.first_response_due := now() + og_sla_interval(NEW.team_id, 'first_response_s');
      NEW.resolution_due := now() + og_sla_interval(NEW.team_id, 'resolution_s');
    ELSIF NEW.team_id IS DISTINCT FROM OLD.team_id THEN
      -- The new team's SLA, for the clocks still running.
      IF NEW.first_response_at IS NULL AND NOT NEW.first_response_breached THEN
        NEW.first_response_due := NEW.opened_at + og_sla_interval(NEW.team_id, 'first_response_s');
      END IF;
      IF NOT NEW.resolution_breached THEN
        NEW.resolution_due := NEW.opened_at + og_sla_interval(NEW.team_id, 'resolution_s');
      END IF;
    END IF;
    IF NEW.status = 'resolved' AND OLD.status <> 'resolved' THEN
      NEW.resolved_at := now();
    END IF;
    IF NEW.status <> 'snoozed' THEN
      NEW.snoozed_until := NULL;
    END IF;
    IF NEW.status = 'queued' THEN
      NEW.assignee_id := NULL;
      IF OLD.status <> 'queued' OR NEW.team_id IS DISTINCT FROM OLD.team_id THEN
        -- (Re)entering the queue, or moved to another team's: routing starts over.
        NEW.queued_at := now();
        NEW.route_target := 0;
        NEW.route_target_since := now();
        NEW.declined_by := '{}';
        NEW.offer_agent_id := NULL;
        NEW.offer_expires_at := NULL;
      END IF;
    END IF;
  END IF;
  IF NEW.status <> 'queued' OR NEW.offer_agent_id IS NULL THEN
    NEW.offer_agent_id := NULL;
    NEW.offer_expires_at := NULL;
  END IF;
  IF NEW.status = 'assigned' AND NEW.assignee_id IS NOT NULL
     AND (TG_OP = 'INSERT' OR OLD.status <> 'assigned' OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id) THEN
    IF NOT og_agent_has_room(NEW.assignee_id, NEW.channel_id, NEW.id) THEN
      RAISE EXCEPTION 'agent % has no free capacity for this channel type', NEW.assignee_id
        USING ERRCODE = 'OGCAP';
    END IF;
    NEW.assigned_at := now();
    NEW.last_agent_id := NEW.assignee_id;
  END IF;
  IF NEW.offer_agent_id IS NOT NULL
     AND (TG_OP = 'INSERT' OR OLD.offer_agent_id IS DISTINCT FROM NEW.offer_agent_id) THEN
    IF NOT og_agent_has_room(NEW.offer_agent_id, NEW.channel_id, NEW.id) THEN
      RAISE EXCEPTION 'agent % has no free capacity for this channel type', NEW.offer_agent_id
        USING ERRCODE = 'OGCAP';
    END IF;
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER conversations_lifecycle_insert BEFORE INSERT ON conversations
  FOR EACH ROW EXECUTE FUNCTION og_conversation_lifecycle();
-- The WHEN clause keeps the ingest path (which only bumps last_seq) free of
-- any trigger call.
CREATE TRIGGER conversations_lifecycle_update BEFORE UPDATE ON conversations
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                     OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
                     OR OLD.team_id IS DISTINCT FROM NEW.team_id
                     OR OLD.offer_agent_id IS DISTINCT FROM NEW.offer_agent_id)
  EXECUTE FUNCTION og_conversation_lifecycle();

-- 6. History: one row per change of status, assignee, team or offer, and the
--    first response. actor_id is the agent who made it (the transaction's
--    `omnigate.actor` setting); NULL: routing, a customer or a timer.
CREATE TABLE conversation_changes (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id bigint NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  at              timestamptz NOT NULL DEFAULT now(),
  kind            text NOT NULL CHECK (kind IN ('opened', 'status', 'assignee', 'team', 'offer', 'first_response')),
  actor_id        bigint REFERENCES agents(id) ON DELETE SET NULL,
  status          text NOT NULL,
  old_status      text,
  assignee_id     bigint,
  old_assignee_id bigint,
  team_id         bigint,
  old_team_id     bigint,
  offer_agent_id  bigint
);
CREATE INDEX conversation_changes_conversation ON conversation_changes (conversation_id, id);
CREATE INDEX conversation_changes_assigned ON conversation_changes (assignee_id, at)
  WHERE kind IN ('status', 'assignee') AND status = 'assigned';
CREATE INDEX conversation_changes_at ON conversation_changes (at);

-- 7. Notifications: every node LISTENs on omnigate_conversations. The
--    assigner wakes on them (something queued, capacity freed, an agent
--    changed) and the realtime hub turns them into conversation.updated,
--    conversation.offered and conversation.sla_breached events for the
--    agents who may see the conversation. NOTIFY is transactional: it is
--    sent at commit, never for a rolled-back change.
CREATE FUNCTION og_conversation_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_kind  text;
  v_actor bigint := nullif(current_setting('omnigate.actor', true), '')::bigint;
  v_note  jsonb := jsonb_build_object('conversation', NEW.id);
BEGIN
  IF TG_OP = 'INSERT' THEN
    v_kind := 'opened';
  ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
    v_kind := 'status';
  ELSIF NEW.assignee_id IS DISTINCT FROM OLD.assignee_id THEN
    v_kind := 'assignee';
  ELSIF NEW.team_id IS DISTINCT FROM OLD.team_id THEN
    v_kind := 'team';
  ELSIF NEW.offer_agent_id IS DISTINCT FROM OLD.offer_agent_id THEN
    v_kind := 'offer';
  ELSIF OLD.first_response_at IS NULL AND NEW.first_response_at IS NOT NULL THEN
    v_kind := 'first_response';
  END IF;
  -- The capacity ledger follows every change of who holds the conversation.
  IF TG_OP = 'UPDATE' AND OLD.status = 'assigned'
     AND (NEW.status <> 'assigned' OR NEW.assignee_id IS DISTINCT FROM OLD.assignee_id) THEN
    PERFORM og_adjust_load(OLD.assignee_id, OLD.channel_id, -1);
  END IF;
  IF NEW.status = 'assigned'
     AND (TG_OP = 'INSERT' OR OLD.status <> 'assigned' OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id) THEN
    PERFORM og_adjust_load(NEW.assignee_id, NEW.channel_id, 1);
  END IF;
  IF v_kind IS NOT NULL THEN
    INSERT INTO conversation_changes (conversation_id, kind, actor_id, status, old_status, assignee_id,
                                      old_assignee_id, team_id, old_team_id, offer_agent_id)
    VALUES (NEW.id, v_kind, v_actor, NEW.status, OLD.status, NEW.assignee_id, OLD.assignee_id, NEW.team_id,
            OLD.team_id, NEW.offer_agent_id);
  END IF;
  IF TG_OP = 'UPDATE' THEN
    -- Who could see it before the change also learns of it.
    v_note := v_note || jsonb_strip_nulls(jsonb_build_object(
      'old_status', OLD.status, 'old_assignee', OLD.assignee_id, 'old_team', OLD.team_id));
    IF NEW.offer_agent_id IS NOT NULL AND NEW.offer_agent_id IS DISTINCT FROM OLD.offer_agent_id THEN
      v_note := v_note || jsonb_build_object('offered_to', NEW.offer_agent_id, 'offer_expires_at', NEW.offer_expires_at);
    END IF;
    IF NEW.first_response_breached AND NOT OLD.first_response_breached THEN
      v_note := v_note || jsonb_build_object('breached', 'first_response', 'due', NEW.first_response_due);
    ELSIF NEW.resolution_breached AND NOT OLD.resolution_breached THEN
      v_note := v_note || jsonb_build_object('breached', 'resolution', 'due', NEW.resolution_due);
    END IF;
  END IF;
  PERFORM pg_notify('omnigate_conversations', v_note::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER conversations_changed_insert AFTER INSERT ON conversations
  FOR EACH ROW EXECUTE FUNCTION og_conversation_changed();
CREATE TRIGGER conversations_changed_update AFTER UPDATE ON conversations
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                     OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
                     OR OLD.team_id IS DISTINCT FROM NEW.team_id
                     OR OLD.offer_agent_id IS DISTINCT FROM NEW.offer_agent_id
                     OR OLD.priority IS DISTINCT FROM NEW.priority
                     OR OLD.tags IS DISTINCT FROM NEW.tags
                     OR OLD.first_response_breached IS DISTINCT FROM NEW.first_response_breached
                     OR OLD.resolution_breached IS DISTINCT FROM NEW.resolution_breached
                     OR (OLD.first_response_at IS NULL AND NEW.first_response_at IS NOT NULL))
  EXECUTE FUNCTION og_conversation_changed();

-- Agents: what routing reads changed (presence, capacity, skills, teams).
-- A user who is disabled hands their open conversations back to the queue,
-- in the same transaction.
CREATE FUNCTION og_agent_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('omnigate_conversations', jsonb_build_object('agent', OLD.agent_id)::text);
  ELSIF TG_TABLE_NAME = 'agent_teams' THEN
    PERFORM pg_notify('omnigate_conversations', jsonb_build_object('agent', NEW.agent_id)::text);
  ELSE
    IF NEW.disabled AND NOT OLD.disabled
       AND EXISTS (SELECT 1 FROM agent_load l WHERE l.agent_id = NEW.id AND l.assigned > 0) THEN
      UPDATE conversations SET status = 'queued', updated_at = now()
      WHERE assignee_id = NEW.id AND status = 'assigned';
    END IF;
    PERFORM pg_notify('omnigate_conversations', jsonb_build_object('agent', NEW.id)::text);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER agents_routing_changed AFTER UPDATE ON agents
  FOR EACH ROW WHEN (OLD.presence IS DISTINCT FROM NEW.presence
                     OR OLD.capacity IS DISTINCT FROM NEW.capacity
                     OR OLD.skills IS DISTINCT FROM NEW.skills
                     OR OLD.role IS DISTINCT FROM NEW.role
                     OR OLD.disabled IS DISTINCT FROM NEW.disabled)
  EXECUTE FUNCTION og_agent_changed();
CREATE TRIGGER agent_teams_routing_changed AFTER INSERT OR DELETE ON agent_teams
  FOR EACH ROW EXECUTE FUNCTION og_agent_changed();

-- 8. og_ingest, as in 007 (the conflict target names thread_key) with the
--    lifecycle added:
--    * step 2: a sender with no open conversation whose latest one on the
--      channel was resolved within routing_rules.reopen_window_s gets it
--      back (queued) instead of a new one;
--    * step 6: a customer's message wakes a snoozed conversation (back to
--      the queue) and reopens a resolved one that the channel addressed
--      directly (an email reply matched by its thread), unless the contact
--      has opened another conversation of that thread meanwhile; the first
--      agent reply stamps first_response_at.
--    Both stay inside the statements the function already ran, so the hot
--    path (messages into open conversations) does the same work as before.
CREATE OR REPLACE FUNCTION og_ingest(
  p_channel      bigint[],
  p_conversation bigint[],   -- NULL: find or open the sender's conversation
  p_sender_type  text[],
  p_sender_id    text[],
  p_sender_name  text[],
  p_external     text[],     -- NULL: no idempotency key
  p_direction    text[],
  p_parts        jsonb[],
  p_metadata     jsonb[],
  p_channel_ts   timestamptz[],
  p_delivery     text[])
RETURNS TABLE (
  n bigint, duplicate boolean, id bigint, conversation_id bigint, seq bigint, created_at timestamptz,
  direction text, sender_type text, sender_id text, sender_name text, channel_id bigint,
  external_id text, parts text, metadata text, channel_timestamp timestamptz,
  delivery_status text, delivery_error text)
LANGUAGE plpgsql
SET enable_seqscan = off
AS $$
#variable_conflict use_column
DECLARE
  v_conv   bigint[];
  v_dup    bigint[] := '{}';
  v_new_ch bigint[];  -- (channel, contact) of senders with no open conversation
  v_new_ct bigint[];
  r        record;
BEGIN
  -- 1. Contacts for senders this channel has not seen.
  WITH k AS (
    SELECT DISTINCT ON (t.ch, t.sid) t.ch, t.sid, t.name
    FROM unnest(p_channel, p_sender_id, p_sender_name, p_conversation) AS t(ch, sid, name, conv)
    WHERE t.conv IS NULL
    ORDER BY t.ch, t.sid),
  missing AS (
    SELECT k.* FROM k
    WHERE NOT EXISTS (SELECT 1 FROM contact_identities i WHERE i.channel_id = k.ch AND i.external_id = k.sid)),
  ins AS (
    INSERT INTO contact_identities (channel_id, external_id, channel_type, contact_id)
    SELECT m.ch, m.sid, ch.type, nextval(pg_get_serial_sequence('contacts', 'id'))
    FROM missing m JOIN channels ch ON ch.id = m.ch
    ORDER BY m.ch, m.sid
    ON CONFLICT DO NOTHING
    RETURNING contact_identities.channel_id, contact_identities.external_id, contact_identities.contact_id)
  INSERT INTO contacts (id, name)
  SELECT ins.contact_id, m.name FROM ins JOIN missing m ON m.ch = ins.channel_id AND m.sid = ins.external_id;

  -- 2. Senders without an open conversation: reopen the one resolved within
  --    the window, else open one.
  SELECT array_agg(s.channel_id ORDER BY s.channel_id, s.contact_id),
         array_agg(s.contact_id ORDER BY s.channel_id, s.contact_id)
  INTO v_new_ch, v_new_ct
  FROM (SELECT DISTINCT i.channel_id, i.contact_id
        FROM unnest(p_channel, p_sender_id, p_conversation) AS t(ch, sid, conv)
        JOIN contact_identities i ON i.channel_id = t.ch AND i.external_id = t.sid
        WHERE t.conv IS NULL
          AND NOT EXISTS (SELECT 1 FROM conversations c
                          WHERE c.channel_id = i.channel_id AND c.contact_id = i.contact_id
                            AND c.status <> 'resolved')) s;
  IF v_new_ch IS NOT NULL THEN
    UPDATE conversations c SET status = 'queued', updated_at = now()
    FROM unnest(v_new_ch, v_new_ct) AS s(ch, ct)
    CROSS JOIN LATERAL (SELECT l.id FROM conversations l
                        WHERE l.contact_id = s.ct AND l.channel_id = s.ch AND l.status = 'resolved'
                          AND l.thread_key = ''
                        ORDER BY l.resolved_at DESC LIMIT 1) latest
    WHERE c.id = latest.id AND c.status = 'resolved'
      AND c.resolved_at > now() - (SELECT make_interval(secs => w.reopen_window_s) FROM routing_rules w WHERE w.singleton);
    INSERT INTO conversations (channel_id, contact_id)
    SELECT s.ch, s.ct FROM unnest(v_new_ch, v_new_ct) AS s(ch, ct)
    ORDER BY 1, 2
    ON CONFLICT (channel_id, contact_id, thread_key) WHERE status <> 'resolved' DO NOTHING;
  END IF;

  -- 3. Each message's conversation.
  SELECT array_agg(coalesce(t.conv, c.id) ORDER BY t.n) INTO v_conv
  FROM unnest(p_channel, p_sender_id, p_conversation) WITH ORDINALITY AS t(ch, sid, conv, n)
  LEFT JOIN LATERAL (SELECT i.contact_id FROM contact_identities i
                     WHERE t.conv IS NULL AND i.channel_id = t.ch AND i.external_id = t.sid) i ON true
  LEFT JOIN LATERAL (SELECT c.id FROM conversations c
                     WHERE t.conv IS NULL AND c.channel_id = t.ch AND c.contact_id = i.contact_id
                       AND c.status <> 'resolved' LIMIT 1) c ON true;
  IF array_position(v_conv, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'og_ingest: no conversation for message %', array_position(v_conv, NULL)
      USING ERRCODE = '40001';  -- a concurrent resolve closed it: retry the batch
  END IF;

  -- 4. Lock the conversations, in id order.
  PERFORM 1 FROM conversations c WHERE c.id = ANY(v_conv) ORDER BY c.id FOR UPDATE;

  -- 5. Already stored (a retry): answer with the stored row.
  FOR r IN
    SELECT t.n, m.* FROM unnest(p_channel, p_external) WITH ORDINALITY AS t(ch, ext, n)
    CROSS JOIN LATERAL (SELECT * FROM messages m
                        WHERE t.ext IS NOT NULL AND m.channel_id = t.ch AND m.external_id = t.ext LIMIT 1) m
  LOOP
    v_dup := v_dup || r.n;
    n := r.n; duplicate := true; id := r.id; conversation_id := r.conversation_id; seq := r.seq;
    created_at := r.created_at; direction := r.direction; sender_type := r.sender_type;
    sender_id := r.sender_id; sender_name := r.sender_name; channel_id := r.channel_id;
    external_id := r.external_id; parts := r.parts::text; metadata := r.metadata::text;
    channel_timestamp := r.channel_timestamp; delivery_status := r.delivery_status;
    delivery_error := r.delivery_error;
    RETURN NEXT;
  END LOOP;

  -- 6. Bump each conversation's last_seq by its number of new messages and
  --    insert them with the seqs that frees; wake or reopen it on a
  --    customer's message, stamp its first response.
  RETURN QUERY
  WITH fresh AS (
    SELECT t.*, row_number() OVER (PARTITION BY t.conv ORDER BY t.n) AS rn
    FROM unnest(v_conv, p_channel, p_sender_type, p_sender_id, p_sender_name, p_external, p_direction,
                p_parts, p_metadata, p_channel_ts, p_delivery)
         WITH ORDINALITY AS t(conv, ch, stype, sid, sname, ext, dir, parts, meta, cts, delivery, n)
    WHERE NOT (t.n = ANY(v_dup))),
  counts AS (
    SELECT f.conv, count(*) AS cnt, bool_or(f.dir = 'in') AS inbound,
           bool_or(f.dir = 'out' AND f.stype = 'agent') AS replied
    FROM fresh f GROUP BY f.conv),
  bumped AS (
    UPDATE conversations c
    SET last_seq = c.last_seq + counts.cnt, last_message_at = now(), updated_at = now(),
        status = CASE
          WHEN NOT counts.inbound THEN c.status
          WHEN c.status = 'snoozed' THEN 'queued'
          WHEN c.status = 'resolved'
               AND NOT EXISTS (SELECT 1 FROM conversations o
                               WHERE o.channel_id = c.channel_id AND o.contact_id = c.contact_id
                                 AND o.thread_key = c.thread_key AND o.status <> 'resolved' AND o.id <> c.id)
            THEN 'queued'
          ELSE c.status END,
        first_response_at = CASE WHEN counts.replied AND c.first_response_at IS NULL THEN now()
                                 ELSE c.first_response_at END
    FROM counts WHERE c.id = counts.conv
    RETURNING c.id AS conv, c.last_seq - counts.cnt AS base),
  ins AS (
    INSERT INTO messages (conversation_id, seq, channel_id, direction, sender_type, sender_id, sender_name,
                          parts, delivery_status, external_id, metadata, channel_timestamp)
    SELECT f.conv, b.base + f.rn, f.ch, f.dir, f.stype, f.sid, f.sname, f.parts, f.delivery, f.ext, f.meta, f.cts
    FROM fresh f JOIN bumped b ON b.conv = f.conv
    RETURNING messages.id, messages.conversation_id, messages.seq, messages.created_at)
  SELECT f.n, false, ins.id, ins.conversation_id, ins.seq, ins.created_at,
         NULL::text, NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::text, NULL::text, NULL::text,
         NULL::timestamptz, NULL::text, NULL::text
  FROM ins JOIN bumped b ON b.conv = ins.conversation_id
  JOIN fresh f ON f.conv = ins.conversation_id AND b.base + f.rn = ins.seq;
END;
$$;
