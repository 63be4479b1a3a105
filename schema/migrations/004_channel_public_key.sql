-- Web and app channels are found by the public key their clients send in
-- `hello` (config.key); unique so one key can never mean two channels.
CREATE UNIQUE INDEX channels_public_key ON channels ((config->>'key'))
  WHERE config ? 'key' AND deleted_at IS NULL;
