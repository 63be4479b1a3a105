#include "gateway/store/contact_store.h"

#include "schema/json.h"

namespace omnigate::store {

bool ContactStore::merge_attributes(std::int64_t channel_id, const std::string& external_id,
                                    const Json::Value& attributes) {
  if (!attributes.isObject() || attributes.empty()) return false;
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared(
      "og_contact_merge_attributes",
      "UPDATE contacts SET attributes = attributes || $3::jsonb, updated_at = now() "
      "WHERE id = (SELECT contact_id FROM contact_identities WHERE channel_id = $1 AND external_id = $2)",
      {std::to_string(channel_id), external_id, schema::write_json(attributes)});
  return r.affected() > 0;
}

}  // namespace omnigate::store
