#include "workbench/router/json_reader.h"

#include <algorithm>
#include <utility>

#include "workbench/router/rules_error.h"

namespace omnigate::workbench::router::json_reader {

std::string member_path(const std::string& object_path, std::string_view key) {
  return object_path.empty() ? std::string(key) : object_path + "." + std::string(key);
}

std::string element_path(const std::string& array_path, unsigned index) {
  return array_path + "[" + std::to_string(index) + "]";
}

ObjectReader::ObjectReader(const Json::Value& value, std::string path, std::initializer_list<std::string_view> allowed)
    : value_(value), path_(std::move(path)) {
  if (!value_.isObject()) throw RulesError(path_, "must be an object");
  for (const std::string& key : value_.getMemberNames()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      throw RulesError(member_path(path_, key), "unknown key");
    }
  }
}

const Json::Value* ObjectReader::find(std::string_view key) const {
  const Json::Value* v = value_.find(key.data(), key.data() + key.size());
  return v == nullptr || v->isNull() ? nullptr : v;
}

int read_int(const Json::Value& v, const std::string& path, int min, int max, std::string_view what) {
  // isInt() also accepts an integral double (5.0), which JSON cannot tell apart.
  if (!v.isInt() || v.isBool() || v.asInt() < min || v.asInt() > max) {
    throw RulesError(path, "must be " + std::string(what));
  }
  return v.asInt();
}

bool read_bool(const Json::Value& v, const std::string& path) {
  if (!v.isBool()) throw RulesError(path, "must be true or false");
  return v.asBool();
}

std::string read_nonempty_string(const Json::Value& v, const std::string& path) {
  if (!v.isString() || v.asString().empty()) throw RulesError(path, "must be a non-empty string");
  return v.asString();
}

std::string read_scalar_text(const Json::Value& v, const std::string& path) {
  if (v.isString()) return v.asString();
  if (v.isBool()) return v.asBool() ? "true" : "false";
  if (v.isInt64()) return std::to_string(v.asInt64());
  if (v.isUInt64()) return std::to_string(v.asUInt64());
  throw RulesError(path, "must be a string, an integer or a boolean");
}

}  // namespace omnigate::workbench::router::json_reader
