#include "adapters/common/parts.h"

#include "schema/json.h"

namespace omnigate::adapters {

std::vector<schema::Part> parts_from_body(const Json::Value& body, const std::string& path) {
  std::vector<schema::Part> parts;
  if (body.isMember("text")) {
    const Json::Value& text = body["text"];
    if (!text.isString() || text.asString().empty() || text.asString().size() > kMaxTextBytes)
      throw AdapterError::bad_request(path + "text: expected a non-empty string of at most 16 KiB");
    schema::Part p;
    p.text = text.asString();
    parts.push_back(std::move(p));
  }
  if (body.isMember("parts")) {
    if (!body["parts"].isArray()) throw AdapterError::bad_request(path + "parts: expected an array");
    for (Json::ArrayIndex i = 0; i < body["parts"].size(); ++i) {
      try {
        parts.push_back(schema::part_from_json(body["parts"][i]));
      } catch (const schema::InvalidJson& e) {
        throw AdapterError::bad_request(path + "parts[" + std::to_string(i) + "]: " + e.what());
      }
    }
  }
  if (parts.empty()) throw AdapterError::bad_request(path + "a message needs `text` or `parts`");
  return parts;
}

}  // namespace omnigate::adapters
