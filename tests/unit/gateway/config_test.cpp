#include "gateway/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "schema/json.h"

namespace omnigate::gateway {
namespace {

// --- parse_host_port ------------------------------------------------------------

TEST(ParseHostPort, Ipv4) {
  HostPort hp = parse_host_port("127.0.0.1:8080");
  EXPECT_EQ(hp.host, "127.0.0.1");
  EXPECT_EQ(hp.port, 8080);
}

TEST(ParseHostPort, BracketedIpv6) {
  HostPort hp = parse_host_port("[::1]:9000");
  EXPECT_EQ(hp.host, "::1");
  EXPECT_EQ(hp.port, 9000);
}

TEST(ParseHostPort, HostnameAndPortZero) {
  HostPort hp = parse_host_port("localhost:0");
  EXPECT_EQ(hp.host, "localhost");
  EXPECT_EQ(hp.port, 0);
}

TEST(ParseHostPort, PortLimits) {
  EXPECT_EQ(parse_host_port("0.0.0.0:65535").port, 65535);
  EXPECT_EQ(parse_host_port("h:1").port, 1);
  EXPECT_THROW(parse_host_port("h:65536"), ConfigError);
}

TEST(ParseHostPort, RejectsBadInput) {
  for (const char* bad : {"nocolon", ":80", "h:99999", "h:abc", "h:", "h:-1", "h:80x", "h: 80", "h:8080 ", ""}) {
    EXPECT_THROW(parse_host_port(bad), ConfigError) << bad;
  }
}

TEST(ParseHostPort, ErrorNamesTheInput) {
  try {
    parse_host_port("h:abc");
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("h:abc"), std::string::npos) << e.what();
  }
}

// --- defaults and realtime address ---------------------------------------------------

TEST(Config, DefaultsAreValid) {
  Config c;
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_TRUE(c.realtime_listen.empty());
  EXPECT_NO_THROW(c.validate());
}

TEST(Config, RealtimeAddressDefaultsToHttpPortPlusOne) {
  Config c;
  HostPort rt = c.realtime_address();
  EXPECT_EQ(rt.host, "127.0.0.1");
  EXPECT_EQ(rt.port, 8081);

  c.listen = "[::1]:9000";
  rt = c.realtime_address();
  EXPECT_EQ(rt.host, "::1");
  EXPECT_EQ(rt.port, 9001);
}

TEST(Config, RealtimeAddressWithPortZeroStaysZero) {
  Config c;
  c.listen = "127.0.0.1:0";  // both servers pick a free port
  EXPECT_EQ(c.realtime_address().port, 0);
}

TEST(Config, ExplicitRealtimeListenWins) {
  Config c;
  c.realtime_listen = "0.0.0.0:7000";
  HostPort rt = c.realtime_address();
  EXPECT_EQ(rt.host, "0.0.0.0");
  EXPECT_EQ(rt.port, 7000);
}

TEST(Config, RealtimeAddressPastTheLastPortIsAnError) {
  Config c;
  c.listen = "127.0.0.1:65535";  // HTTP port + 1 would be 65536
  EXPECT_THROW(c.realtime_address(), ConfigError);
  EXPECT_THROW(c.validate(), ConfigError);
  c.realtime_listen = "127.0.0.1:65534";
  EXPECT_EQ(c.realtime_address().port, 65534);
  EXPECT_NO_THROW(c.validate());
}

// --- apply_json -----------------------------------------------------------------------

TEST(ConfigJson, SetsEveryField) {
  Config c;
  c.apply_json(schema::parse_json(R"({
    "listen": "0.0.0.0:9090", "realtime_listen": "0.0.0.0:9999", "db": "postgresql://u@h/db",
    "data_dir": "/var/lib/og", "log_level": "debug", "http_threads": 64, "max_body_bytes": 4096,
    "db_pool_size": 8, "ingest_writers": 3, "ingest_max_batch": 100, "ingest_timeout_ms": 2500,
    "token_ttl_s": 600})"));
  EXPECT_EQ(c.listen, "0.0.0.0:9090");
  EXPECT_EQ(c.realtime_listen, "0.0.0.0:9999");
  EXPECT_EQ(c.db, "postgresql://u@h/db");
  EXPECT_EQ(c.data_dir, "/var/lib/og");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.http_threads, 64);
  EXPECT_EQ(c.max_body_bytes, 4096);
  EXPECT_EQ(c.db_pool_size, 8);
  EXPECT_EQ(c.ingest_writers, 3);
  EXPECT_EQ(c.ingest_max_batch, 100);
  EXPECT_EQ(c.ingest_timeout_ms, 2500);
  EXPECT_EQ(c.token_ttl_s, 600);
  EXPECT_NO_THROW(c.validate());
}

TEST(ConfigJson, LeavesAbsentKeysAlone) {
  Config c;
  c.apply_json(schema::parse_json(R"({"log_level": "warn"})"));
  EXPECT_EQ(c.log_level, "warn");
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.http_threads, 128);
  EXPECT_EQ(c.max_body_bytes, 1 << 20);
  c.apply_json(schema::parse_json("{}"));
  EXPECT_EQ(c.log_level, "warn");
}

TEST(ConfigJson, LargeByteLimitKeeps64Bits) {
  Config c;
  c.apply_json(schema::parse_json(R"({"max_body_bytes": 8589934592})"));
  EXPECT_EQ(c.max_body_bytes, std::int64_t{8589934592});
}

TEST(ConfigJson, RejectsUnknownKeys) {
  Config c;
  try {
    c.apply_json(schema::parse_json(R"({"listen": "127.0.0.1:1", "log_levle": "debug"})"));
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("log_levle"), std::string::npos) << e.what();
  }
  // Nothing was applied: the unknown key is checked first.
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
}

TEST(ConfigJson, RejectsWrongTypes) {
  struct Case {
    const char* json;
    const char* key;
  };
  for (const Case& k : {Case{R"({"listen": 8080})", "listen"}, Case{R"({"db": null})", "db"},
                        Case{R"({"log_level": ["info"]})", "log_level"},
                        Case{R"({"http_threads": "64"})", "http_threads"},
                        Case{R"({"db_pool_size": 2.5})", "db_pool_size"},
                        Case{R"({"token_ttl_s": true})", "token_ttl_s"},
                        Case{R"({"max_body_bytes": {}})", "max_body_bytes"}}) {
    Config c;
    try {
      c.apply_json(schema::parse_json(k.json));
      ADD_FAILURE() << "no exception for " << k.json;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(k.key), std::string::npos) << e.what();
    }
  }
}

TEST(ConfigJson, RejectsIntegersThatDoNotFit) {
  // A value that does not fit the field must be an error, not silently
  // truncated (4294967298 would otherwise become http_threads = 2).
  for (const char* json : {R"({"http_threads": 4294967298})", R"({"db_pool_size": -4294967294})",
                           R"({"max_body_bytes": 18446744073709551615})", R"({"token_ttl_s": 1e19})"}) {
    Config c;
    EXPECT_THROW(c.apply_json(schema::parse_json(json)), ConfigError) << json;
  }
}

TEST(ConfigJson, RejectsNonObject) {
  Config c;
  EXPECT_THROW(c.apply_json(schema::parse_json("[]")), ConfigError);
  EXPECT_THROW(c.apply_json(schema::parse_json("\"listen\"")), ConfigError);
  EXPECT_THROW(c.apply_json(Json::Value()), ConfigError);
}

TEST(ConfigFile, MissingFileIsAConfigError) {
  Config c;
  EXPECT_THROW(c.apply_file("/nonexistent/omnigate-config-test.json"), ConfigError);
}

// --- apply_env ------------------------------------------------------------------------

class ConfigEnv : public ::testing::Test {
 protected:
  static constexpr const char* kVars[] = {"OMNIGATE_LISTEN", "OMNIGATE_REALTIME_LISTEN", "OMNIGATE_DB",
                                          "OMNIGATE_DATA_DIR", "OMNIGATE_LOG_LEVEL"};
  void SetUp() override {
    for (const char* v : kVars) unsetenv(v);
  }
  void TearDown() override {
    for (const char* v : kVars) unsetenv(v);
  }
};

TEST_F(ConfigEnv, PicksOmnigateVariables) {
  setenv("OMNIGATE_LISTEN", "0.0.0.0:18080", 1);
  setenv("OMNIGATE_REALTIME_LISTEN", "0.0.0.0:18090", 1);
  setenv("OMNIGATE_DB", "postgresql://env@localhost/og", 1);
  setenv("OMNIGATE_DATA_DIR", "/tmp/og-env", 1);
  setenv("OMNIGATE_LOG_LEVEL", "trace", 1);
  Config c;
  c.apply_env();
  EXPECT_EQ(c.listen, "0.0.0.0:18080");
  EXPECT_EQ(c.realtime_listen, "0.0.0.0:18090");
  EXPECT_EQ(c.db, "postgresql://env@localhost/og");
  EXPECT_EQ(c.data_dir, "/tmp/og-env");
  EXPECT_EQ(c.log_level, "trace");
}

TEST_F(ConfigEnv, UnsetOrEmptyVariablesKeepCurrentValues) {
  Config c;
  c.apply_json(schema::parse_json(R"({"log_level": "warn", "db": "postgresql://file"})"));
  setenv("OMNIGATE_LOG_LEVEL", "", 1);
  setenv("OMNIGATE_LISTEN", "127.0.0.1:1234", 1);
  c.apply_env();
  EXPECT_EQ(c.log_level, "warn");             // empty: ignored
  EXPECT_EQ(c.db, "postgresql://file");       // unset: ignored
  EXPECT_EQ(c.listen, "127.0.0.1:1234");      // set: overrides the file
  EXPECT_EQ(c.data_dir, "./data");
}

// --- validate -------------------------------------------------------------------------

TEST(ConfigValidate, RejectsBadLogLevel) {
  for (const char* level : {"verbose", "INFO", "", "warning"}) {
    Config c;
    c.log_level = level;
    EXPECT_THROW(c.validate(), ConfigError) << level;
  }
  for (const char* level : {"trace", "debug", "info", "warn", "error"}) {
    Config c;
    c.log_level = level;
    EXPECT_NO_THROW(c.validate()) << level;
  }
}

TEST(ConfigValidate, RejectsBadPoolSizes) {
  {
    Config c;
    c.db_pool_size = 1;
    c.ingest_writers = 1;
    EXPECT_THROW(c.validate(), ConfigError);
  }
  {
    Config c;
    c.db_pool_size = 1001;
    EXPECT_THROW(c.validate(), ConfigError);
  }
  {
    Config c;
    c.db_pool_size = 4;
    c.ingest_writers = 4;  // must leave a connection for everything else
    EXPECT_THROW(c.validate(), ConfigError);
    c.ingest_writers = 3;
    EXPECT_NO_THROW(c.validate());
    c.ingest_writers = 0;
    EXPECT_THROW(c.validate(), ConfigError);
  }
  {
    Config c;
    c.db_pool_size = 2;
    c.ingest_writers = 1;
    EXPECT_NO_THROW(c.validate());
  }
}

TEST(ConfigValidate, RejectsOtherOutOfRangeValues) {
  auto invalid = [](auto mutate) {
    Config c;
    mutate(c);
    try {
      c.validate();
    } catch (const ConfigError&) {
      return true;
    }
    return false;
  };
  EXPECT_TRUE(invalid([](Config& c) { c.http_threads = 1; }));
  EXPECT_TRUE(invalid([](Config& c) { c.http_threads = 10001; }));
  EXPECT_TRUE(invalid([](Config& c) { c.max_body_bytes = 1023; }));
  EXPECT_TRUE(invalid([](Config& c) { c.ingest_max_batch = 0; }));
  EXPECT_TRUE(invalid([](Config& c) { c.ingest_timeout_ms = 99; }));
  EXPECT_TRUE(invalid([](Config& c) { c.token_ttl_s = 59; }));
  EXPECT_TRUE(invalid([](Config& c) { c.listen = "nocolon"; }));
  EXPECT_TRUE(invalid([](Config& c) { c.realtime_listen = "h:abc"; }));
  EXPECT_TRUE(invalid([](Config& c) {
    c.db.clear();
    c.data_dir.clear();
  }));
  EXPECT_FALSE(invalid([](Config& c) {
    c.data_dir.clear();
    c.db = "postgresql://x";
  }));
  EXPECT_FALSE(invalid([](Config& c) { c.http_threads = 2; }));
  EXPECT_FALSE(invalid([](Config&) {}));
}

}  // namespace
}  // namespace omnigate::gateway
