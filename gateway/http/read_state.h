#pragma once
// The caller's read state on conversation JSON (see read_routes.cpp).
#include <cstdint>
#include <vector>

#include <json/value.h>

#include "gateway/store/read_mark_store.h"

namespace omnigate::gateway::http {

// Adds "read_seq" and "unread" for `agent_id` to each conversation JSON
// (store::to_json of a view: keyed by its "id"), in one query.
void with_read_state(store::ReadMarkStore& reads, std::int64_t agent_id, const std::vector<Json::Value*>& conversations);

}  // namespace omnigate::gateway::http
