#pragma once
// The one reading of a message body's content, shared by every JSON entry
// point (webhook channel, visitor frames, app HTTP fallback, agent replies):
//   "text": a non-empty string (at most 16 KiB)  -> a text part, first
//   "parts": [Part JSON, ...]                     -> schema/part.schema.json
// At least one part is required. Throws AdapterError (400) naming the field,
// prefixed with `path` (e.g. "messages[2].").
#include <string>
#include <vector>

#include <json/value.h>

#include "adapters/adapter.h"

namespace omnigate::adapters {

inline constexpr size_t kMaxTextBytes = 16 * 1024;

std::vector<schema::Part> parts_from_body(const Json::Value& body, const std::string& path = "");

}  // namespace omnigate::adapters
