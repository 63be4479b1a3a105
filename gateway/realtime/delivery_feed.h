#pragma once
// Delivery state changes, from every node, as agents' message.updated
// events. The outbox's statements announce each change of an outbound
// message's delivery state on store::kDeliveryChannel as they commit (see
// gateway/store/outbox_store.h), whichever node's dispatcher or agent made
// it; this feed LISTENs on its own connection and hands
//   {"type":"message.updated","conversation":id,
//    "message":{"id","conversation_id","seq","delivery_status","delivery_error"?}}
// to the hub, which sends it to the agents who may see the conversation (in
// order with its messages). No query per event: the notification carries the
// whole frame. Like ConversationFeed, each node serves exactly its own
// sockets. Notifications sent while the listener was reconnecting are lost,
// so once it is back every socket is told to catch up (Hub::catch_up_all:
// agents get a "resync" frame and read their open conversations again).
#include <memory>
#include <optional>
#include <string>

#include <json/value.h>

#include "gateway/db/listener.h"
#include "gateway/realtime/hub.h"

namespace omnigate::gateway::realtime {

class DeliveryFeed {
 public:
  DeliveryFeed(const std::string& conninfo, Hub& hub);
  ~DeliveryFeed();  // stop()
  void start();
  void stop();

  // The agents' frame for one notification payload; none when it is not
  // one (logged, never thrown: a bad payload must not stop the feed).
  static std::optional<Json::Value> frame_of(const std::string& payload);

 private:
  Hub& hub_;
  std::unique_ptr<db::PgListener> listener_;
};

}  // namespace omnigate::gateway::realtime
