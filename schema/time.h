#pragma once
// Timestamps in the model are UTC instants with microsecond precision, the
// resolution PostgreSQL's timestamptz keeps, so a value survives a round trip
// through the store unchanged.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace omnigate::schema {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

Timestamp now();
// RFC 3339 in UTC with microseconds: 2026-11-23T16:28:03.123456Z
std::string format_timestamp(Timestamp t);
// Accepts RFC 3339 with 'Z' or a numeric offset, with or without fractions,
// and PostgreSQL's text form ("2026-11-23 16:28:03.123456+00").
std::optional<Timestamp> parse_timestamp(std::string_view text);

}  // namespace omnigate::schema
