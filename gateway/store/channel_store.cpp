#include "gateway/store/channel_store.h"

#include "gateway/store/columns.h"
#include "schema/json.h"

namespace omnigate::store {
namespace {

constexpr const char* kColumns =
    "id, type, name, token, config::text, secrets::text, enabled, created_at, updated_at";

schema::Channel from_row(const db::PgResult& r, int i) {
  schema::Channel c;
  c.id = r.int64(i, 0);
  c.type = schema::channel_type_from_string(r.text(i, 1)).value_or(schema::ChannelType::webhook);
  c.name = r.str(i, 2);
  c.token = r.str(i, 3);
  c.config = schema::parse_json(r.text(i, 4));
  c.secrets = schema::parse_json(r.text(i, 5));
  c.enabled = r.boolean(i, 6);
  c.created_at = timestamp_at(r, i, 7);
  c.updated_at = timestamp_at(r, i, 8);
  return c;
}

std::string object_text(const Json::Value& v) {
  return v.isNull() ? std::string("{}") : schema::write_json(v);
}

}  // namespace

schema::Channel ChannelStore::create(const schema::Channel& ch) {
  auto conn = pool_.acquire();
  auto r = conn->exec(std::string("INSERT INTO channels (type, name, token, config, secrets, enabled) "
                                  "VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6) RETURNING ") +
                          kColumns,
                      {std::string(schema::to_string(ch.type)), ch.name, ch.token, object_text(ch.config),
                       object_text(ch.secrets), ch.enabled ? "true" : "false"});
  return from_row(r, 0);
}

std::optional<schema::Channel> ChannelStore::get(std::int64_t id) {
  auto conn = pool_.acquire();
  auto r = conn->exec(std::string("SELECT ") + kColumns + " FROM channels WHERE id = $1 AND deleted_at IS NULL",
                      {std::to_string(id)});
  if (r.rows() == 0) return std::nullopt;
  return from_row(r, 0);
}

std::optional<schema::Channel> ChannelStore::find_by_token(const std::string& token) {
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared(
      "og_channel_by_token",
      std::string("SELECT ") + kColumns + " FROM channels WHERE token = $1 AND deleted_at IS NULL", {token});
  if (r.rows() == 0) return std::nullopt;
  return from_row(r, 0);
}

std::optional<schema::Channel> ChannelStore::find_by_public_key(const std::string& key) {
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared(
      "og_channel_by_key",
      std::string("SELECT ") + kColumns + " FROM channels WHERE config ? 'key' AND config->>'key' = $1 AND deleted_at IS NULL",
      {key});
  if (r.rows() == 0) return std::nullopt;
  return from_row(r, 0);
}

std::vector<schema::Channel> ChannelStore::list() {
  auto conn = pool_.acquire();
  auto r = conn->exec(std::string("SELECT ") + kColumns + " FROM channels WHERE deleted_at IS NULL ORDER BY id");
  std::vector<schema::Channel> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(from_row(r, i));
  return out;
}

bool ChannelStore::update(const schema::Channel& ch) {
  auto conn = pool_.acquire();
  auto r = conn->exec(
      "UPDATE channels SET name = $2, config = $3::jsonb, secrets = $4::jsonb, enabled = $5, token = $6, "
      "updated_at = now() WHERE id = $1 AND deleted_at IS NULL",
      {std::to_string(ch.id), ch.name, object_text(ch.config), object_text(ch.secrets),
       ch.enabled ? "true" : "false", ch.token});
  return r.affected() > 0;
}

bool ChannelStore::remove(std::int64_t id) {
  auto conn = pool_.acquire();
  // The token is freed too, so the old inbound URL stops working for good.
  auto r = conn->exec(
      "UPDATE channels SET deleted_at = now(), enabled = false, token = 'deleted:' || id || ':' || token "
      "WHERE id = $1 AND deleted_at IS NULL",
      {std::to_string(id)});
  return r.affected() > 0;
}

}  // namespace omnigate::store
