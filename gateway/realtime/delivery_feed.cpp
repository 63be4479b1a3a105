#include "gateway/realtime/delivery_feed.h"

#include "gateway/logging.h"
#include "gateway/store/outbox_store.h"
#include "schema/json.h"

namespace omnigate::gateway::realtime {

DeliveryFeed::DeliveryFeed(const std::string& conninfo, Hub& hub) : hub_(hub) {
  listener_ = std::make_unique<db::PgListener>(
      conninfo, store::kDeliveryChannel,
      [this](const std::string& payload) {
        // Nobody connected here: nothing to build (the hub would drop it anyway).
        if (!hub_.has_agents()) return;
        if (auto frame = frame_of(payload)) hub_.publish_about_conversation((*frame)["conversation"].asInt64(), *frame);
      },
      [this](bool after_a_loss) {
        // State changes sent meanwhile are gone: the agents read again.
        if (after_a_loss) hub_.catch_up_all();
      });
}

DeliveryFeed::~DeliveryFeed() { stop(); }

void DeliveryFeed::start() { listener_->start(); }

void DeliveryFeed::stop() { listener_->stop(); }

std::optional<Json::Value> DeliveryFeed::frame_of(const std::string& payload) {
  try {
    Json::Value notice = schema::parse_json(payload);
    if (!notice["message"].isIntegral() || !notice["conversation"].isIntegral() || !notice["seq"].isIntegral() ||
        !notice["status"].isString())
      throw std::invalid_argument("expected message, conversation, seq and status");
    // The status names the model's delivery states; anything else is refused
    // rather than passed on to browsers.
    const schema::DeliveryStatus status = schema::delivery_status_from_string(notice["status"].asString());
    Json::Value message(Json::objectValue);
    message["id"] = notice["message"].asInt64();
    message["conversation_id"] = notice["conversation"].asInt64();
    message["seq"] = notice["seq"].asInt64();
    message["delivery_status"] = std::string(schema::to_string(status));
    if (notice["error"].isString() && !notice["error"].asString().empty())
      message["delivery_error"] = notice["error"].asString();
    Json::Value frame(Json::objectValue);
    frame["type"] = "message.updated";
    frame["conversation"] = notice["conversation"].asInt64();
    frame["message"] = std::move(message);
    return frame;
  } catch (const std::exception& e) {
    spdlog::warn("event=delivery_feed.bad_notice error={}", q(e.what()));
    return std::nullopt;
  }
}

}  // namespace omnigate::gateway::realtime
