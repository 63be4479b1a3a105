#include "gateway/store/vip.h"

namespace omnigate::store {

bool is_vip(const Json::Value& contact_attributes, const std::set<std::string>& tags) {
  if (tags.count("vip")) return true;
  if (!contact_attributes.isObject()) return false;
  const Json::Value& v = contact_attributes["vip"];
  if (v.isBool()) return v.asBool();
  if (v.isNumeric()) return v.asDouble() != 0;
  if (v.isString()) {
    const std::string s = v.asString();
    return !s.empty() && s != "false" && s != "0" && s != "no";
  }
  return false;
}

}  // namespace omnigate::store
