#pragma once
// A channel's step between its adapter's ingest and the group commit, for
// channels whose messages need the store before they can be stored: email
// mail must be threaded into the right conversation (adapters cannot query
// the store) and brings attachment bytes to keep. The hook route and the
// pull paths run it; channels without a preparer go straight to the store.
#include <map>

#include "adapters/adapter.h"

namespace omnigate::gateway {

class InboundPreparer {
 public:
  virtual ~InboundPreparer() = default;
  // May set each message's conversation_id, change or drop messages, keep
  // ingest.blobs, and set the answer for what it dropped. Throws
  // adapters::AdapterError for bad input, db::PgError when the store fails.
  virtual void prepare(const schema::Channel& channel, adapters::Ingest& ingest) = 0;
};

// Preparers by channel type; not owning.
class InboundPreparers {
 public:
  void add(schema::ChannelType type, InboundPreparer& preparer) { by_type_[type] = &preparer; }
  InboundPreparer* find(schema::ChannelType type) const {
    auto it = by_type_.find(type);
    return it == by_type_.end() ? nullptr : it->second;
  }

 private:
  std::map<schema::ChannelType, InboundPreparer*> by_type_;
};

}  // namespace omnigate::gateway
