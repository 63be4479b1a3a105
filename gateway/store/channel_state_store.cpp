#include "gateway/store/channel_state_store.h"

namespace omnigate::store {

std::optional<std::string> ChannelStateStore::get(std::int64_t channel_id, const std::string& key) {
  auto conn = pool_.acquire();
  return get(*conn, channel_id, key);
}

void ChannelStateStore::put(std::int64_t channel_id, const std::string& key, const std::string& value) {
  auto conn = pool_.acquire();
  put(*conn, channel_id, key, value);
}

std::optional<std::string> ChannelStateStore::get(db::PgConnection& c, std::int64_t channel_id,
                                                  const std::string& key) {
  auto r = c.exec("SELECT value FROM channel_state WHERE channel_id = $1 AND key = $2",
                  {std::to_string(channel_id), key});
  if (r.rows() == 0) return std::nullopt;
  return r.str(0, 0);
}

void ChannelStateStore::put(db::PgConnection& c, std::int64_t channel_id, const std::string& key,
                            const std::string& value) {
  c.exec("INSERT INTO channel_state (channel_id, key, value) VALUES ($1, $2, $3) "
         "ON CONFLICT (channel_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
         {std::to_string(channel_id), key, value});
}

}  // namespace omnigate::store
