-- What each agent has read of each conversation: the highest seq they have
-- seen, so unread counts follow the agent from browser to browser. A mark
-- only moves forward (gateway/store/read_mark_store.h). Marking announces
-- itself on omnigate_conversations as {"read": {"agent", "conversation",
-- "seq"}}, so the agent's other sockets on every node clear the count too.
CREATE TABLE conversation_reads (
  agent_id        bigint NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  conversation_id bigint NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  read_seq        bigint NOT NULL CHECK (read_seq >= 0),
  read_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agent_id, conversation_id)
);
CREATE INDEX conversation_reads_conversation ON conversation_reads (conversation_id);
