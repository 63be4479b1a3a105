-- The email channel: one open conversation per topic, attachment bytes, and
-- finding our own sent mails by Message-ID.

-- 1. Several open conversations per contact on an email channel, one per
--    topic (DESIGN.md, email threading rule 3: a new subject starts a new
--    conversation while the old one may still be open). thread_key tells them
--    apart: '' on every other channel, so "one open conversation per contact
--    and channel" still holds there; an email conversation gets the
--    Message-ID of the mail that opened it (gateway/store/email_thread_store).
ALTER TABLE conversations ADD COLUMN thread_key text NOT NULL DEFAULT '';
DROP INDEX conversations_open_per_contact;
CREATE UNIQUE INDEX conversations_open_per_contact
  ON conversations (channel_id, contact_id, thread_key) WHERE status <> 'resolved';

-- 2. og_ingest, unchanged but for one line: step 2's ON CONFLICT names the
--    index's new column list. PostgreSQL infers the arbiter index from the
--    exact columns, so the old target (channel_id, contact_id) would no longer
--    match any index and every ingest would fail. Messages without an explicit
--    conversation (every non-email channel) still get the contact's one open
--    conversation with thread_key ''. A later CREATE OR REPLACE of og_ingest
--    must keep this conflict target.
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
  v_conv bigint[];
  v_dup  bigint[] := '{}';
  r      record;
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

  -- 2. An open conversation for every sender that has none.
  INSERT INTO conversations (channel_id, contact_id)
  SELECT DISTINCT i.channel_id, i.contact_id
  FROM unnest(p_channel, p_sender_id, p_conversation) AS t(ch, sid, conv)
  JOIN contact_identities i ON i.channel_id = t.ch AND i.external_id = t.sid
  WHERE t.conv IS NULL
    AND NOT EXISTS (SELECT 1 FROM conversations c
                    WHERE c.channel_id = i.channel_id AND c.contact_id = i.contact_id AND c.status <> 'resolved')
  ORDER BY 1, 2
  ON CONFLICT (channel_id, contact_id, thread_key) WHERE status <> 'resolved' DO NOTHING;

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
  --    insert them with the seqs that frees.
  RETURN QUERY
  WITH fresh AS (
    SELECT t.*, row_number() OVER (PARTITION BY t.conv ORDER BY t.n) AS rn
    FROM unnest(v_conv, p_channel, p_sender_type, p_sender_id, p_sender_name, p_external, p_direction,
                p_parts, p_metadata, p_channel_ts, p_delivery)
         WITH ORDINALITY AS t(conv, ch, stype, sid, sname, ext, dir, parts, meta, cts, delivery, n)
    WHERE NOT (t.n = ANY(v_dup))),
  counts AS (SELECT f.conv, count(*) AS cnt FROM fresh f GROUP BY f.conv),
  bumped AS (
    UPDATE conversations c
    SET last_seq = c.last_seq + counts.cnt, last_message_at = now(), updated_at = now()
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

-- 3. Attachment bytes, content-addressed: the same file mailed twice is kept
--    once. A message's file/image part names its blob in extra.sha256; the
--    bytes are written before the message, so a stored part never points at
--    missing bytes. filename is the first name the bytes arrived under (the
--    download's default name).
CREATE TABLE blobs (
  sha256       text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content_type text NOT NULL DEFAULT 'application/octet-stream',
  filename     text NOT NULL DEFAULT '',
  size         bigint NOT NULL CHECK (size >= 0),
  bytes        bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- 4. Threading finds the mails we sent by their Message-ID. The dispatcher
--    records a delivery's id in metadata.delivery.external_id (outbox_store's
--    mark_sent) when the message row already has an external_id of its own;
--    only delivered messages carry one, so the partial index stays small.
CREATE INDEX messages_delivery_external_id
  ON messages (channel_id, (metadata -> 'delivery' ->> 'external_id'))
  WHERE metadata -> 'delivery' ->> 'external_id' IS NOT NULL;
