#pragma once
#include <cstdint>
#include <string>

#include <json/value.h>

#include "gateway/db/pool.h"

namespace omnigate::store {

class ContactStore {
 public:
  explicit ContactStore(db::ConnectionPool& pool) : pool_(pool) {}
  // Merges `attributes` (an object: page URL, language, user agent, IP...)
  // into the contact known on the channel by external_id. False when the
  // channel has no such contact yet.
  bool merge_attributes(std::int64_t channel_id, const std::string& external_id, const Json::Value& attributes);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
