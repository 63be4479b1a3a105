#pragma once
// Small strict readers for the rules JSON: every failure names the JSON path
// of the offending value, and objects refuse keys they do not know (a typo in
// an admin's rules must not silently change routing).
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <json/value.h>

namespace omnigate::workbench::router::json_reader {

std::string member_path(const std::string& object_path, std::string_view key);
std::string element_path(const std::string& array_path, unsigned index);

// An object whose keys must all be in `allowed`.
class ObjectReader {
 public:
  ObjectReader(const Json::Value& value, std::string path, std::initializer_list<std::string_view> allowed);

  // Null when the key is absent (an explicit JSON null counts as absent).
  const Json::Value* find(std::string_view key) const;
  std::string path_of(std::string_view key) const { return member_path(path_, key); }
  const std::string& path() const { return path_; }

 private:
  const Json::Value& value_;
  std::string path_;
};

int read_int(const Json::Value& v, const std::string& path, int min, int max, std::string_view what);
bool read_bool(const Json::Value& v, const std::string& path);
std::string read_nonempty_string(const Json::Value& v, const std::string& path);
// The text a scalar compares as: strings as they are, integers in decimal,
// booleans as true/false. Anything else is an error.
std::string read_scalar_text(const Json::Value& v, const std::string& path);

}  // namespace omnigate::workbench::router::json_reader
