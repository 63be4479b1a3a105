-- The Official Account channel type is named "wechat_mp" (WeChat's own name
-- for 公众号, beside "wecom"); "wechat" stays accepted as an input alias.
UPDATE channels SET type = 'wechat_mp' WHERE type = 'wechat';
UPDATE contact_identities SET channel_type = 'wechat_mp' WHERE channel_type = 'wechat';
ALTER TABLE channels DROP CONSTRAINT channels_type_check;
ALTER TABLE channels ADD CONSTRAINT channels_type_check
  CHECK (type IN ('wechat_mp', 'wecom', 'email', 'web', 'app', 'webhook'));
