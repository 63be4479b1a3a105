#pragma once
// What the HTTP routes work with, owned by gateway::Gateway.
#include "adapters/registry.h"
#include "gateway/channel_cache.h"
#include "gateway/assign/queue_monitor.h"
#include "gateway/config.h"
#include "gateway/db/pool.h"
#include "gateway/inbound/preparer.h"
#include "gateway/metrics.h"
#include "gateway/outbox/dispatcher.h"
#include "gateway/pull/imap_poller.h"
#include "gateway/pull/puller.h"
#include "gateway/realtime/hub.h"
#include "gateway/store/agent_store.h"
#include "gateway/store/assignment_store.h"
#include "gateway/store/blob_store.h"
#include "gateway/store/channel_store.h"
#include "gateway/store/contact_store.h"
#include "gateway/store/conversation_store.h"
#include "gateway/store/group_commit.h"
#include "gateway/store/lifecycle_store.h"
#include "gateway/store/message_store.h"
#include "gateway/store/outbox_store.h"

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
  InboundPreparers& preparers;  // per channel type, between ingest and the group commit (email threading)
  store::BlobStore& blobs;      // attachment bytes (GET /v1/files/{sha256})
  ImapPoller& imap_poller;      // email channels' mailboxes
  store::LifecycleStore& lifecycle;      // resolve, transfer, snooze... (conversation_action_routes.cpp)
  store::AssignmentStore& assignments;   // routing settings, queue snapshots
  QueueMonitor& queue;                   // queue positions and waits for visitors
  store::OutboxStore& outbox;            // delivery retries (delivery_routes.cpp)
};

}  // namespace omnigate::gateway
