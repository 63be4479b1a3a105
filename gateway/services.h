#pragma once
// What the HTTP routes work with, owned by gateway::Gateway.
#include "adapters/registry.h"
#include "gateway/channel_cache.h"
#include "gateway/config.h"
#include "gateway/db/pool.h"
#include "gateway/metrics.h"
#include "gateway/outbox/dispatcher.h"
#include "gateway/pull/puller.h"
#include "gateway/realtime/hub.h"
#include "gateway/store/agent_store.h"
#include "gateway/store/channel_store.h"
#include "gateway/store/contact_store.h"
#include "gateway/store/conversation_store.h"
#include "gateway/store/group_commit.h"
#include "gateway/store/message_store.h"

namespace omnigate::gateway {

struct Services {
  const Config& config;
  db::ConnectionPool& pool;
  store::MessageStore& messages;
  store::ChannelStore& channels;
  store::AgentStore& agents;
  store::ConversationStore& conversations;
  store::GroupCommit& group_commit;
  ChannelCache& channel_cache;
  const adapters::Registry& adapters;
  Metrics& metrics;
  Dispatcher& dispatcher;
  realtime::Hub& hub;
  Puller& puller;  // follow-up pulls of ingests (adapters::PullRequest)
  store::ContactStore& contacts;
};

}  // namespace omnigate::gateway
