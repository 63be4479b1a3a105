-- Small per-channel state the gateway keeps between requests, by key: the
-- cursor of a pull channel (WeCom 微信客服 kf/sync_msg's next_cursor). A
-- pull saves its cursor only after the page it covers is durable.
CREATE TABLE channel_state (
  channel_id bigint NOT NULL REFERENCES channels(id),
  key        text NOT NULL,
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel_id, key)
);
