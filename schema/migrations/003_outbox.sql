-- The outbox: one row per outbound message still to be delivered through its
-- channel. A trigger creates the row in the same transaction that stores a
-- message with delivery_status 'pending', whatever code path stores it, so a
-- reply can never be stored without being queued (or queued without being
-- stored). Dispatchers on any node claim due rows with FOR UPDATE SKIP LOCKED
-- and take a lease (next_attempt_at moves past the delivery timeout): a node
-- that dies mid-delivery leaves a row that another node retries once the
-- lease runs out.
CREATE TABLE outbox (
  message_id      bigint PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  channel_id      bigint NOT NULL REFERENCES channels(id),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_due ON outbox (next_attempt_at);

CREATE FUNCTION og_queue_outbound() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO outbox (message_id, channel_id) VALUES (NEW.id, NEW.channel_id);
  RETURN NULL;
END;
$$;

CREATE TRIGGER messages_queue_outbound AFTER INSERT ON messages
  FOR EACH ROW WHEN (NEW.delivery_status = 'pending') EXECUTE FUNCTION og_queue_outbound();

-- Recorded outcome of the channel's API for a sent message (its own id).
ALTER TABLE messages ADD COLUMN delivered_at timestamptz;
