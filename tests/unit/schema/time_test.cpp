#include "schema/time.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace omnigate::schema {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

Timestamp at(year_month_day ymd, microseconds since_midnight = 0us) { return sys_days{ymd} + since_midnight; }

Timestamp must_parse(std::string_view text) {
  const std::optional<Timestamp> t = parse_timestamp(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(Timestamp{});
}

TEST(FormatTimestamp, WritesUtcWithSixFractionDigits) {
  EXPECT_EQ(format_timestamp(at(2026y / 11 / 23, 16h + 28min + 3s + 123456us)), "2026-11-23T16:28:03.123456Z");
  EXPECT_EQ(format_timestamp(at(2026y / 1 / 2, 3h + 4min + 5s + 6us)), "2026-01-02T03:04:05.000006Z");
  EXPECT_EQ(format_timestamp(Timestamp{}), "1970-01-01T00:00:00.000000Z");
}

TEST(FormatTimestamp, BeforeTheEpochFloorsToThePreviousSecond) {
  EXPECT_EQ(format_timestamp(Timestamp{-1us}), "1969-12-31T23:59:59.999999Z");
}

TEST(FormatTimestamp, CoversYearsZeroToNineThousandNineHundredNinetyNine) {
  EXPECT_EQ(format_timestamp(at(0y / 1 / 1)), "0000-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_timestamp(at(9999y / 12 / 31, 24h - 1us)), "9999-12-31T23:59:59.999999Z");
  EXPECT_THROW(format_timestamp(at(0y / 1 / 1) - 1us), std::out_of_range);
  EXPECT_THROW(format_timestamp(at(10000y / 1 / 1)), std::out_of_range);
  EXPECT_THROW(format_timestamp(Timestamp::min()), std::out_of_range);
  EXPECT_THROW(format_timestamp(Timestamp::max()), std::out_of_range);
}

TEST(ParseTimestamp, InvertsFormat) {
  for (const Timestamp t : {Timestamp{}, Timestamp{-1us}, at(2026y / 11 / 23, 16h + 28min + 3s + 123456us),
                            at(2024y / 2 / 29, 23h + 59min + 59s + 999999us), at(0y / 1 / 1),
                            at(9999y / 12 / 31, 24h - 1us), now()}) {
    EXPECT_EQ(parse_timestamp(format_timestamp(t)), t) << format_timestamp(t);
  }
}

TEST(ParseTimestamp, AcceptsRfc3339Variants) {
  const Timestamp base = at(2026y / 11 / 23, 16h + 28min + 3s);
  EXPECT_EQ(must_parse("2026-11-23T16:28:03Z"), base);
  EXPECT_EQ(must_parse("2026-11-23t16:28:03z"), base);  // RFC 3339 allows lowercase
  EXPECT_EQ(must_parse("2026-11-23T16:28:03.1Z"), base + 100000us);
  EXPECT_EQ(must_parse("2026-11-23T16:28:03.123Z"), base + 123000us);
  EXPECT_EQ(must_parse("2026-11-23T16:28:03.123456Z"), base + 123456us);
  EXPECT_EQ(must_parse("2026-11-23T16:28:03.000000Z"), base);
}

TEST(ParseTimestamp, TruncatesFractionsBeyondMicroseconds) {
  const Timestamp base = at(2026y / 11 / 23, 16h + 28min + 3s);
  EXPECT_EQ(must_parse("2026-11-23T16:28:03.1234567Z"), base + 123456us);
  EXPECT_EQ(must_parse("2026-11-23T16:28:03.999999999Z"), base + 999999us);
}

TEST(ParseTimestamp, ConvertsOffsetsToUtc) {
  const Timestamp utc = at(2026y / 11 / 23, 16h + 28min + 3s + 500000us);
  EXPECT_EQ(must_parse("2026-11-23T21:58:03.5+05:30"), utc);
  EXPECT_EQ(must_parse("2026-11-24T00:28:03.5+08:00"), utc);  // the day changes too
  EXPECT_EQ(must_parse("2026-11-23T08:28:03.5-08:00"), utc);
  EXPECT_EQ(must_parse("2026-11-23T16:28:03.5+00:00"), utc);
  EXPECT_EQ(must_parse("2026-11-23T16:28:03.5-00:00"), utc);  // "offset unknown" is still UTC
  EXPECT_EQ(must_parse("2027-01-01T00:28:03+08:00"), at(2026y / 12 / 31, 16h + 28min + 3s));
}

TEST(ParseTimestamp, AcceptsPostgresTextOutput) {
  const Timestamp utc = at(2026y / 11 / 23, 16h + 28min + 3s + 123456us);
  EXPECT_EQ(must_parse("2026-11-23 16:28:03.123456+00"), utc);
  EXPECT_EQ(must_parse("2026-11-23 21:58:03.123456+05:30"), utc);
  EXPECT_EQ(must_parse("2026-11-23 11:28:03.123456-05"), utc);
  EXPECT_EQ(must_parse("2026-11-23 16:28:03+00"), utc - 123456us);
  // Historical local mean time offsets carry seconds (Asia/Kolkata, 1900).
  EXPECT_EQ(must_parse("1900-01-01 05:53:28+05:53:28"), at(1900y / 1 / 1));
}

TEST(ParseTimestamp, RejectsInvalidDates) {
  EXPECT_FALSE(parse_timestamp("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_timestamp("2026-00-01T00:00:00Z"));
  EXPECT_FALSE(parse_timestamp("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_timestamp("2025-02-29T00:00:00Z"));  // not a leap year
  EXPECT_TRUE(parse_timestamp("2024-02-29T00:00:00Z"));
  EXPECT_FALSE(parse_timestamp("2026-04-31T00:00:00Z"));
  EXPECT_FALSE(parse_timestamp("2026-11-00T00:00:00Z"));
}

TEST(ParseTimestamp, RejectsInvalidTimes) {
  EXPECT_FALSE(parse_timestamp("2026-11-23T24:00:00Z"));
  EXPECT_FALSE(parse_timestamp("2026-11-23T23:60:00Z"));
  EXPECT_FALSE(parse_timestamp("2026-11-23T23:59:60Z"));  // no leap seconds in sys_time
  EXPECT_FALSE(parse_timestamp("2026-11-23T16:28:03+24:00"));
  EXPECT_FALSE(parse_timestamp("2026-11-23T16:28:03+05:60"));
}

TEST(ParseTimestamp, RejectsMissingOrMalformedParts) {
  for (const char* text : {
           "",
           "2026-11-23",
           "2026-11-23T16:28Z",
           "2026-11-23T16:28:03",          // no offset: local time of unknown zone
           "2026-11-23T16:28:03.Z",        // empty fraction
           "2026-11-23T16:28:03.1234567890Z",  // ten fraction digits
           "2026-11-23T16:28:03+0530",
           "2026-11-23T16:28:03+05",       // short offsets only in PostgreSQL's form
           "2026-11-23T16:28:03+05:30:00",
           "2026-11-23 16:28:03+5",
           "26-11-23T16:28:03Z",
           "2026-1-23T16:28:03Z",
           "2026-11-23T6:28:03Z",
           "+2026-11-23T16:28:03Z",
           "2026/11/23T16:28:03Z",
           "2026-11-23_16:28:03Z",
           "2026-11-23T16:28:03Z ",
           " 2026-11-23T16:28:03Z",
           "2026-11-23T16:28:03ZZ",
           "2026-11-23T16:28:03.5.5Z",
           "2026-11-23T16:28:+3Z",
           "2026-11-23 16:28:03.123456+00 BC",
           "10000-01-01T00:00:00Z",
           "garbage",
       }) {
    EXPECT_FALSE(parse_timestamp(text)) << '"' << text << '"';
  }
  EXPECT_FALSE(parse_timestamp(std::string_view("2026-11-23T16:28:03Z\0", 21)));
}

TEST(ParseTimestamp, RejectsResultsOutsideTheFormattableRange) {
  EXPECT_TRUE(parse_timestamp("0000-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_timestamp("0000-01-01T00:00:00+00:01"));
  EXPECT_TRUE(parse_timestamp("9999-12-31T23:59:59.999999Z"));
  EXPECT_FALSE(parse_timestamp("9999-12-31T23:59:59-00:01"));
}

TEST(Now, IsMicrosecondsNearTheSystemClock) {
  const auto before = floor<microseconds>(system_clock::now());
  const Timestamp t = now();
  const auto after = system_clock::now();
  EXPECT_LE(before, t);
  EXPECT_LE(t, after);
}

}  // namespace
}  // namespace omnigate::schema
