// The people side of the workbench over real HTTP: users, teams, presence,
// tokens, canned responses, contacts and merges, the audit log, and what
// agents may (not) see.
#include <gtest/gtest.h>
#include <json/writer.h>  // prints Json::Value in failure messages

#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "gateway/db/pool.h"
#include "gateway/store/agent_store.h"
#include "gateway/store/presence_store.h"
#include "schema/json.h"
#include "tests/support/test_gateway.h"
#include "tests/support/ws_client.h"

using omnigate::testing::parse;
using omnigate::testing::TestGateway;
using omnigate::testing::WsClient;

namespace {

struct Answer {
  int status = 0;
  Json::Value body;
  std::string raw;
};

// A signed-in HTTP client: every call answers status and parsed JSON.
class Api {
 public:
  Api(const TestGateway& gw, std::string token) : client_(gw.client()), token_(std::move(token)) {}
  Answer get(const std::string& path) { return answer(client_.Get(path, headers())); }
  Answer post(const std::string& path, const std::string& body) {
    return answer(client_.Post(path, headers(), body, "application/json"));
  }
  Answer patch(const std::string& path, const std::string& body) {
    return answer(client_.Patch(path, headers(), body, "application/json"));
  }
  Answer put(const std::string& path, const std::string& body) {
    return answer(client_.Put(path, headers(), body, "application/json"));
  }
  Answer del(const std::string& path) { return answer(client_.Delete(path, headers())); }
  const std::string& token() const { return token_; }

 private:
  httplib::Headers headers() const { return {{"Authorization", "Bearer " + token_}}; }
  static Answer answer(const httplib::Result& r) {
    Answer a;
    if (!r) return a;
    a.status = r->status;
    a.raw = r->body;
    if (!r->body.empty() && r->get_header_value("Content-Type") == "application/json") a.body = parse(r->body);
    return a;
  }
  httplib::Client client_;
  std::string token_;
};

std::string login(const TestGateway& gw, const std::string& user, const std::string& password, int* status = nullptr) {
  Json::Value body;
  body["login"] = user;
  body["password"] = password;
  auto r = gw.client().Post("/v1/auth/login", omnigate::schema::write_json(body), "application/json");
  if (status) *status = r ? r->status : 0;
  if (!r || r->status != 200) return "";
  return parse(r->body)["token"].asString();
}

// Creates a user through the admin API; returns its JSON.
Json::Value create_user(Api& admin, const std::string& user, const std::string& extra = "") {
  std::string body = R"({"login":")" + user + R"(","password":"password-)" + user + "\"" + extra + "}";
  auto r = admin.post("/v1/admin/users", body);
  EXPECT_EQ(r.status, 201) << r.raw;
  return r.body;
}

std::string id_of(const Json::Value& v) { return std::to_string(v["id"].asInt64()); }

std::vector<std::string> audit_actions(Api& admin, const std::string& query = "") {
  auto r = admin.get("/v1/admin/audit" + query);
  EXPECT_EQ(r.status, 200) << r.raw;
  std::vector<std::string> out;
  for (const auto& e : r.body["items"]) out.push_back(e["action"].asString());
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Polls until pred() or the deadline; presence changes happen on a
// background thread.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds within = std::chrono::seconds(5)) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return pred();
}

std::string presence_of(Api& api, std::int64_t agent) {
  const Json::Value agents = api.get("/v1/agents").body["items"];  // a copy: the answer is a temporary
  for (const auto& a : agents)
    if (a["id"].asInt64() == agent) return a["presence"].asString();
  return "";
}

// ---- users and teams ------------------------------------------------------------------

TEST(WorkbenchUsers, CreateWithTeamsSkillsAndCapacityRoundTrips) {
  TestGateway gw;
  Api admin(gw, gw.admin_token());
  auto existing = admin.post("/v1/admin/teams", R"({"name":"Billing"})");
  ASSERT_EQ(existing.status, 201) << existing.raw;

  auto created = admin.post("/v1/admin/users",
                            R"({"login":"li.lei","password":"a long password","name":"李雷","role":"agent",)"
                            R"("teams":["售后 After-sales",)" + id_of(existing.body) + R"(],)"
                            R"("skills":["zh","billing","zh"],"capacity":{"web":5,"email":20,"default":1}})");
  ASSERT_EQ(created.status, 201) << created.raw;
  const Json::Value& u = created.body;
  EXPECT_EQ(u["login"].asString(), "li.lei");
  EXPECT_EQ(u["name"].asString(), "李雷");
  EXPECT_EQ(u["role"].asString(), "agent");
  EXPECT_EQ(u["team_ids"].size(), 2u);
  EXPECT_EQ(omnigate::schema::write_json(u["skills"]), R"(["zh","billing"])");
  EXPECT_EQ(omnigate::schema::write_json(u["capacity"]), R"({"default":1,"email":20,"web":5})");
  EXPECT_FALSE(u.isMember("password_hash"));
  EXPECT_EQ(created.raw.find("scrypt"), std::string::npos);

  // The same through GET, and the unknown team name now exists with the user in it.
  auto got = admin.get("/v1/admin/users/" + id_of(u));
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body, u);
  auto teams = admin.get("/v1/admin/teams").body["items"];
  ASSERT_EQ(teams.size(), 2u);
  for (const auto& t : teams) {
    ASSERT_EQ(t["members"].size(), 1u) << t;
    EXPECT_EQ(t["members"][0].asInt64(), u["id"].asInt64());
  }
  // The new user can sign in.
  EXPECT_FALSE(login(gw, "li.lei", "a long password").empty());

  // PATCH replaces what it names and keeps the rest.
  auto patched = admin.patch("/v1/admin/users/" + id_of(u), R"({"teams":["Billing"],"capacity":{"wechat":3}})");
  ASSERT_EQ(patched.status, 200) << patched.raw;
  EXPECT_EQ(patched.body["team_ids"].size(), 1u);
  EXPECT_EQ(patched.body["team_ids"][0].asInt64(), existing.body["id"].asInt64());
  EXPECT_EQ(omnigate::schema::write_json(patched.body["capacity"]), R"({"wechat_mp":3})");  // alias stored canonically
  EXPECT_EQ(patched.body["name"].asString(), "李雷");

  auto actions = audit_actions(admin);
  EXPECT_TRUE(contains(actions, "user.created"));
  EXPECT_TRUE(contains(actions, "user.updated"));
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "team.created"), 2);  // Billing, and the implicit one
}

TEST(WorkbenchUsers, CreationValidatesItsInput) {
  TestGateway gw;
  Api admin(gw, gw.admin_token());
  create_user(admin, "taken");
  struct Case {
    std::string body;
    int status;
    std::string code;
  };
  const Case cases[] = {
      {R"({"login":"taken","password":"long enough"})", 409, "login_taken"},
      {R"({"login":"x","password":"short"})", 400, "bad_request"},
      {R"({"login":"has space","password":"long enough"})", 400, "bad_request"},
      {R"({"password":"long enough"})", 400, "bad_request"},
      {R"({"login":"y","password":"long enough","role":"root"})", 400, "bad_request"},
      {R"({"login":"y","password":"long enough","capacity":{"fax":2}})", 400, "bad_request"},
      {R"({"login":"y","password":"long enough","capacity":{"web":-1}})", 400, "bad_request"},
      {R"({"login":"y","password":"long enough","teams":[99]})", 400, "unknown_team"},
      {R"({"login":"y","password":"long enough","skills":[""]})", 400, "bad_request"},
  };
  for (const auto& c : cases) {
    auto r = admin.post("/v1/admin/users", c.body);
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.raw;
    EXPECT_EQ(r.body["error"]["code"].asString(), c.code) << c.body;
  }
  // Nothing half-made: "y" does not exist, no team 99 was created.
  const Json::Value users = admin.get("/v1/admin/users").body["items"];
  for (const auto& u : users) EXPECT_NE(u["login"].asString(), "y");
}

TEST(WorkbenchUsers, AgentsGet403OnEveryAdminRouteAnd401WithoutAToken) {
  TestGateway gw;
  Api agent(gw, gw.agent_token());
  Api nobody(gw, "not-a-token");
  const std::pair<std::string, std::string> routes[] = {
      {"GET", "/v1/admin/users"},        {"POST", "/v1/admin/users"},       {"GET", "/v1/admin/users/1"},
      {"PATCH", "/v1/admin/users/1"},    {"DELETE", "/v1/admin/users/1"},   {"POST", "/v1/admin/users/1/revoke_tokens"},
      {"GET", "/v1/admin/teams"},        {"POST", "/v1/admin/teams"},       {"GET", "/v1/admin/teams/1"},
      {"PATCH", "/v1/admin/teams/1"},    {"DELETE", "/v1/admin/teams/1"},   {"GET", "/v1/admin/audit"},
      {"GET", "/v1/admin/channels"},     {"POST", "/v1/admin/channels"},
  };
  for (const auto& [method, path] : routes) {
    for (auto* api : {&agent, &nobody}) {
      Answer r = method == "GET"     ? api->get(path)
                 : method == "POST"  ? api->post(path, R"({"login":"x","password":"long enough","name":"x"})")
                 : method == "PATCH" ? api->patch(path, R"({"name":"x"})")
                                     : api->del(path);
      EXPECT_EQ(r.status, api == &agent ? 403 : 401) << method << " " << path << " " << r.raw;
    }
  }
  // The agent's own account is untouched.
  EXPECT_EQ(agent.get("/v1/me").status, 200);
}

TEST(WorkbenchUsers, DisabledUsersCannotLogInAndLoseTheirTokens) {
  TestGateway gw;
  Api admin(gw, gw.admin_token());
  auto u = create_user(admin, "leaver");
  std::string token = login(gw, "leaver", "password-leaver");
  ASSERT_FALSE(token.empty());
  Api leaver(gw, token);
  ASSERT_EQ(leaver.get("/v1/me").status, 200);

  ASSERT_EQ(admin.del("/v1/admin/users/" + id_of(u)).status, 204);
  EXPECT_EQ(leaver.get("/v1/me").status, 401);
  int status = 0;
  EXPECT_TRUE(login(gw, "leaver", "password-leaver", &status).empty());
  EXPECT_EQ(status, 401);
  auto listed = admin.get("/v1/admin/users/" + id_of(u));
  EXPECT_TRUE(listed.body["disabled"].asBool());
  EXPECT_EQ(listed.body["presence"].asString(), "offline");
  // Gone from the agent directory, still known to admins.
  const Json::Value directory = admin.get("/v1/agents").body["items"];
  for (const auto& a : directory) EXPECT_NE(a["login"].asString(), "leaver");
  EXPECT_TRUE(contains(audit_actions(admin, "?target_type=user&target_id=" + id_of(u)), "user.disabled"));

  // Re-enabled, the same password works again; the old token stays dead.
  ASSERT_EQ(admin.patch("/v1/admin/users/" + id_of(u), R"({"disabled":false})").status, 200);
  EXPECT_FALSE(login(gw, "leaver", "password-leaver").empty());
  EXPECT_EQ(leaver.get("/v1/me").status, 401);

  // An admin cannot lock themselves out.
  auto me = admin.get("/v1/me").body;
  EXPECT_EQ(admin.del("/v1/admin/users/" + id_of(me)).status, 409);
  EXPECT_EQ(admin.patch("/v1/admin/users/" + id_of(me), R"({"role":"agent"})").status, 409);
  EXPECT_EQ(admin.get("/v1/me").status, 200);
}

TEST(WorkbenchTokens, RevokedAndExpiredTokensAreRefused) {
  TestGateway gw;
  Api admin(gw, gw.admin_token());

  // Login says when the token expires: token_ttl_s from now.
  Json::Value body;
  body["login"] = "agent";
  body["password"] = "agent-password";
  auto r = gw.client().Post("/v1/auth/login", omnigate::schema::write_json(body), "application/json");
  ASSERT_EQ(r->status, 200);
  auto answer = parse(r->body);
  auto expires = omnigate::schema::parse_timestamp(answer["expires_at"].asString());
  ASSERT_TRUE(expires) << r->body;
  auto expected = std::chrono::system_clock::now() + std::chrono::seconds(answer["expires_in"].asInt());
  EXPECT_LT(std::chrono::abs(*expires - expected), std::chrono::seconds(30));

  // Revoking every token of a user (two sessions).
  Api one(gw, answer["token"].asString());
  Api two(gw, gw.agent_token());
  auto me = one.get("/v1/me").body;
  ASSERT_EQ(two.get("/v1/me").status, 200);
  auto revoked = admin.post("/v1/admin/users/" + id_of(me) + "/revoke_tokens", "");
  ASSERT_EQ(revoked.status, 200) << revoked.raw;
  EXPECT_EQ(revoked.body["revoked"].asInt(), 2);
  EXPECT_EQ(one.get("/v1/me").status, 401);
  EXPECT_EQ(two.get("/v1/conversations").status, 401);
  EXPECT_EQ(admin.post("/v1/admin/users/9999/revoke_tokens", "").status, 404);

  // Expiry: tokens issued with a short life stop working when it ends.
  omnigate::db::ConnectionPool pool(gw.db(), 2);
  omnigate::store::AgentStore agents(pool);
  Api expired(gw, agents.issue_token(me["id"].asInt64(), std::chrono::seconds(0)).token);
  EXPECT_EQ(expired.get("/v1/me").status, 401);
  Api short_lived(gw, agents.issue_token(me["id"].asInt64(), std::chrono::seconds(2)).token);
  EXPECT_EQ(short_lived.get("/v1/me").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  auto late = short_lived.get("/v1/me");
  EXPECT_EQ(late.status, 401);
  EXPECT_EQ(late.body["error"]["code"].asString(), "unauthorized");
  // The realtime hub refuses it too.
  EXPECT_EQ(omnigate::testing::upgrade_status(gw.realtime_port(), "/v1/ws/agent?token=" + short_lived.token(), "http://x"),
            401);
}

TEST(WorkbenchTeams, CrudFallbacksAndTheirLimits) {
  TestGateway gw;
  Api admin(gw, gw.admin_token());
  Api agent(gw, gw.agent_token());
  auto l1 = admin.post("/v1/admin/teams", R"({"name":"L1"})").body;
  auto l2 = admin.post("/v1/admin/teams", R"({"name":"L2","fallback_team":"L1"})");
  ASSERT_EQ(l2.status, 201) << l2.raw;
  EXPECT_EQ(l2.body["fallback_team"].asInt64(), l1["id"].asInt64());
  EXPECT_EQ(admin.post("/v1/admin/teams", R"({"name":"L1"})").status, 409);
  EXPECT_EQ(admin.post("/v1/admin/teams", R"({"name":"L3","fallback_team":"nope"})").status, 400);
  // L1 -> L2 would close a loop (L2 already falls back to L1), as would L1 -> L1.
  auto loop = admin.patch("/v1/admin/teams/" + id_of(l1), R"({"fallback_team":)" + id_of(l2.body) + "}");
  EXPECT_EQ(loop.status, 409) << loop.raw;
  EXPECT_EQ(loop.body["error"]["code"].asString(), "fallback_loop");
  EXPECT_EQ(admin.patch("/v1/admin/teams/" + id_of(l1), R"({"fallback_team":"L1"})").status, 409);
  EXPECT_EQ(admin.patch("/v1/admin/teams/" + id_of(l1), R"({"name":"L2"})").status, 409);

  auto renamed = admin.patch("/v1/admin/teams/" + id_of(l2.body), R"({"name":"Second line","fallback_team":null})");
  ASSERT_EQ(renamed.status, 200) << renamed.raw;
  EXPECT_EQ(renamed.body["name"].asString(), "Second line");
  EXPECT_TRUE(renamed.body["fallback_team"].isNull());

  // Everyone may list teams; only admins change them.
  auto listed = agent.get("/v1/teams");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body["items"].size(), 2u);

  ASSERT_EQ(admin.del("/v1/admin/teams/" + id_of(l1)).status, 204);
  EXPECT_EQ(admin.get("/v1/admin/teams/" + id_of(l1)).status, 404);
  EXPECT_EQ(admin.del("/v1/admin/teams/" + id_of(l1)).status, 404);
  auto actions = audit_actions(admin, "?target_type=team");
  EXPECT_TRUE(contains(actions, "team.created"));
  EXPECT_TRUE(contains(actions, "team.updated"));
  EXPECT_TRUE(contains(actions, "team.deleted"));
}

// ---- presence -----------------------------------------------------------------------------

TEST(WorkbenchPresence, AgentsSetItAndEveryoneSeesIt) {
  TestGateway gw;
  Api agent(gw, gw.agent_token());
  Api admin(gw, gw.admin_token());
  std::int64_t id = agent.get("/v1/me").body["id"].asInt64();
  EXPECT_EQ(presence_of(admin, id), "offline");
  for (const char* status : {"online", "away", "offline", "online"}) {
    auto r = agent.put("/v1/me/presence", std::string(R"({"status":")") + status + "\"}");
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body["presence"].asString(), status);
    EXPECT_EQ(presence_of(admin, id), status);
  }
  EXPECT_EQ(agent.put("/v1/me/presence", R"({"status":"busy"})").status, 400);
  EXPECT_EQ(agent.put("/v1/me/presence", R"({})").status, 400);
  auto directory = agent.get("/v1/agents");
  ASSERT_EQ(directory.status, 200);
  EXPECT_EQ(directory.raw.find("password"), std::string::npos);
  EXPECT_EQ(directory.raw.find("scrypt"), std::string::npos);
}

omnigate::gateway::Config quick_presence(const std::string& db = "") {
  omnigate::gateway::Config cfg;
  cfg.presence_grace_ms = 300;
  cfg.db = db;
  return cfg;
}

TEST(WorkbenchPresence, FollowsTheAgentsSocketsUnlessTheyChoseItThemselves) {
  TestGateway gw(quick_presence());
  Api agent(gw, gw.agent_token());
  std::int64_t id = agent.get("/v1/me").body["id"].asInt64();
  ASSERT_EQ(presence_of(agent, id), "offline");
  {
    WsClient socket(gw.realtime_port(), "/v1/ws/agent?token=" + agent.token());
    EXPECT_TRUE(eventually([&] { return presence_of(agent, id) == "online"; }));
    {
      // A second tab, closed again: still online.
      WsClient second(gw.realtime_port(), "/v1/ws/agent?token=" + agent.token());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    EXPECT_EQ(presence_of(agent, id), "online");
  }
  // The last socket closed: offline once the grace period is over.
  EXPECT_TRUE(eventually([&] { return presence_of(agent, id) == "offline"; }));

  // Chosen "away" survives a new socket; the last socket closing ends it.
  ASSERT_EQ(agent.put("/v1/me/presence", R"({"status":"away"})").status, 200);
  {
    WsClient socket(gw.realtime_port(), "/v1/ws/agent?token=" + agent.token());
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    EXPECT_EQ(presence_of(agent, id), "away");
  }
  EXPECT_TRUE(eventually([&] { return presence_of(agent, id) == "offline"; }));
  // ...after which a socket brings them online again.
  WsClient back(gw.realtime_port(), "/v1/ws/agent?token=" + agent.token());
  EXPECT_TRUE(eventually([&] { return presence_of(agent, id) == "online"; }));

  // A reload (close, then a new socket within the grace period) does not flap.
  back.close();
  WsClient reloaded(gw.realtime_port(), "/v1/ws/agent?token=" + agent.token());
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  EXPECT_EQ(presence_of(agent, id), "online");

  // Chosen "offline" stays so through new sockets, and after they close.
  ASSERT_EQ(agent.put("/v1/me/presence", R"({"status":"offline"})").status, 200);
  reloaded.close();
  WsClient later(gw.realtime_port(), "/v1/ws/agent?token=" + agent.token());
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  EXPECT_EQ(presence_of(agent, id), "offline");
}

TEST(WorkbenchPresence, AnAgentOnAnotherNodeKeepsThemOnline) {
  TestGateway a(quick_presence());
  TestGateway b(quick_presence(a.db()));
  Api agent(a, a.agent_token());
  std::int64_t id = agent.get("/v1/me").body["id"].asInt64();
  WsClient on_b(b.realtime_port(), "/v1/ws/agent?token=" + agent.token());
  {
    WsClient on_a(a.realtime_port(), "/v1/ws/agent?token=" + agent.token());
    EXPECT_TRUE(eventually([&] { return presence_of(agent, id) == "online"; }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  EXPECT_EQ(presence_of(agent, id), "online");  // node A's socket is gone, node B's is not
  on_b.close();
  EXPECT_TRUE(eventually([&] { return presence_of(agent, id) == "offline"; }));
}

// The store under the tracker: nodes share the decision through agent_sockets.
TEST(WorkbenchPresence, StaleSocketsOfADeadNodeAreSweptByTheOthers) {
  TestGateway gw;
  Api agent(gw, gw.agent_token());
  std::int64_t id = agent.get("/v1/me").body["id"].asInt64();
  omnigate::db::ConnectionPool pool(gw.db(), 2);
  omnigate::store::PresenceStore store(pool, std::chrono::seconds(60));

  EXPECT_TRUE(store.opened("node-a", id));
  EXPECT_FALSE(store.opened("node-b", id));  // already online
  EXPECT_EQ(presence_of(agent, id), "online");
  store.closed("node-a", id);
  EXPECT_FALSE(store.settle(id));  // node B still has a socket
  EXPECT_EQ(presence_of(agent, id), "online");

  // Node B dies: its row is never refreshed again. A live node's heartbeat
  // keeps its own rows (none for this agent) and the sweep settles B's.
  pool.acquire()->exec("UPDATE agent_sockets SET seen_at = now() - interval '10 minutes' WHERE node_id = 'node-b'");
  store.heartbeat("node-c", {});
  EXPECT_EQ(store.sweep(), (std::vector<std::int64_t>{id}));
  EXPECT_EQ(presence_of(agent, id), "offline");
  EXPECT_TRUE(store.sweep().empty());

  // A heartbeat writes exactly the node's current agents back.
  store.heartbeat("node-c", {id});
  EXPECT_EQ(pool.acquire()->exec("SELECT count(*) FROM agent_sockets WHERE node_id = 'node-c'").int64(0, 0), 1);
  store.heartbeat("node-c", {});
  EXPECT_EQ(pool.acquire()->exec("SELECT count(*) FROM agent_sockets").int64(0, 0), 0);
}

// ---- canned responses --------------------------------------------------------------------

std::vector<std::string> shortcodes(Api& api, const std::string& q) {
  auto r = api.get("/v1/canned?q=" + httplib::detail::encode_query_param(q));
  EXPECT_EQ(r.status, 200) << r.raw;
  std::vector<std::string> out;
  for (const auto& c : r.body["items"]) out.push_back(c["shortcode"].asString());
  return out;
}

Json::Value canned(Api& api, const std::string& body, int expect = 201) {
  auto r = api.post("/v1/canned", body);
  EXPECT_EQ(r.status, expect) << body << " -> " << r.raw;
  return r.body;
}

TEST(WorkbenchCanned, PrefixSearchFindsChineseAndEnglishBestFirst) {
  TestGateway gw;
  Api admin(gw, gw.admin_token());
  Api agent(gw, gw.agent_token());
  const char* global = R"(,"scope":"global"})";
  canned(admin, R"({"shortcode":"发货","title":"发货通知","body":"您好，您的订单已发货，请留意物流信息。")" + std::string(global));
  canned(admin, R"({"shortcode":"invoice","title":"发票说明","body":"电子发票会在确认收货后开具。")" + std::string(global));
  canned(admin, R"({"shortcode":"tracking","title":"Tracking","body":"包裹已发出，快递单号如下：")" + std::string(global));
  canned(admin, R"({"shortcode":"ship-en","title":"Shipping notice","body":"Your order has shipped. Order number below.")" +
                    std::string(global));
  canned(admin, R"({"shortcode":"hello","title":"欢迎语","body":"您好，请问有什么可以帮您？")" + std::string(global));
  canned(admin, R"({"shortcode":"refund","title":"退款","body":"退款将在3个工作日内原路退回。")" + std::string(global));

  // "发": shortcode prefix, then title prefix, then a word inside a body; nothing unrelated.
  EXPECT_EQ(shortcodes(agent, "发"), (std::vector<std::string>{"发货", "invoice", "tracking"}));
  EXPECT_EQ(shortcodes(agent, "发货"), (std::vector<std::string>{"发货"}));
  EXPECT_EQ(shortcodes(agent, "发票"), (std::vector<std::string>{"invoice"}));
  EXPECT_EQ(shortcodes(agent, "物流"), (std::vector<std::string>{"发货"}));  // a word inside the body
  // English, case-insensitive: shortcode, title word and body word prefixes.
  EXPECT_EQ(shortcodes(agent, "SHIP"), (std::vector<std::string>{"ship-en"}));
  EXPECT_EQ(shortcodes(agent, "not"), (std::vector<std::string>{"ship-en"}));  // "notice" in the title
  EXPECT_EQ(shortcodes(agent, "num"), (std::vector<std::string>{"ship-en"}));  // "number" in the body
  EXPECT_EQ(shortcodes(agent, "退"), (std::vector<std::string>{"refund"}));
  EXPECT_TRUE(shortcodes(agent, "xyz").empty());
  EXPECT_TRUE(shortcodes(agent, "%").empty());  // LIKE's wildcards are plain characters
  EXPECT_TRUE(shortcodes(agent, "_").empty());
  EXPECT_EQ(shortcodes(agent, "").size(), 6u);
  EXPECT_EQ(agent.get("/v1/canned?q=%E5%8F%91&limit=1").body["items"].size(), 1u);
}

TEST(WorkbenchCanned, PersonalTeamAndGlobalScopes) {
  TestGateway gw;
  Api admin(gw, gw.admin_token());
  Api agent(gw, gw.agent_token());
  auto team = admin.post("/v1/admin/teams", R"({"name":"Shipping desk"})").body;
  create_user(admin, "member", R"(,"teams":["Shipping desk"])");
  create_user(admin, "outsider");
  Api member(gw, login(gw, "member", "password-member"));
  Api outsider(gw, login(gw, "outsider", "password-outsider"));

  auto mine = canned(agent, R"({"shortcode":"发我的","body":"发货前我会再确认一次地址。"})");
  EXPECT_EQ(mine["scope"].asString(), "personal");
  auto team_reply = canned(admin, R"({"shortcode":"发团队","body":"团队模板","scope":"team","team":"Shipping desk"})");
  EXPECT_EQ(team_reply["team"].asInt64(), team["id"].asInt64());
  canned(admin, R"({"shortcode":"发全局","body":"全局模板","scope":"global"})");

  EXPECT_EQ(shortcodes(agent, "发"), (std::vector<std::string>{"发全局", "发我的"}));  // same rank: by shortcode
  EXPECT_EQ(shortcodes(member, "发"), (std::vector<std::string>{"发全局", "发团队"}));
  EXPECT_EQ(shortcodes(outsider, "发"), (std::vector<std::string>{"发全局"}));
  EXPECT_EQ(shortcodes(admin, "发"), (std::vector<std::string>{"发全局", "发团队"}));  // not the agent's own

  // Someone else's personal reply does not exist for them, not even for admins.
  EXPECT_EQ(outsider.get("/v1/canned/" + id_of(mine)).status, 404);
  EXPECT_EQ(admin.patch("/v1/canned/" + id_of(mine), R"({"body":"x"})").status, 404);
  EXPECT_EQ(member.del("/v1/canned/" + id_of(mine)).status, 404);
  EXPECT_EQ(outsider.get("/v1/canned/" + id_of(team_reply)).status, 404);
  EXPECT_EQ(member.get("/v1/canned/" + id_of(team_reply)).status, 200);
  // Agents manage their own; team and global ones are admins'.
  auto edited = agent.patch("/v1/canned/" + id_of(mine), R"({"title":"地址确认"})");
  ASSERT_EQ(edited.status, 200) << edited.raw;
  EXPECT_EQ(shortcodes(agent, "地址"), (std::vector<std::string>{"发我的"}));  // title search follows the edit
  EXPECT_EQ(member.patch("/v1/canned/" + id_of(team_reply), R"({"body":"x"})").status, 403);
  canned(agent, R"({"shortcode":"g","body":"x","scope":"global"})", 403);
  canned(agent, R"({"shortcode":"t","body":"x","scope":"team","team":"Shipping desk"})", 403);
  canned(agent, R"({"shortcode":"发我的","body":"duplicate"})", 409);
  canned(outsider, R"({"shortcode":"发我的","body":"another agent's own may reuse it"})", 201);
  canned(admin, R"({"shortcode":"x","body":"x","scope":"team","team":"no such team"})", 400);
  canned(agent, R"({"shortcode":"","body":"x"})", 400);
  canned(agent, R"({"shortcode":"x"})", 400);

  ASSERT_EQ(agent.del("/v1/canned/" + id_of(mine)).status, 204);
  EXPECT_EQ(agent.get("/v1/canned/" + id_of(mine)).status, 404);
  // Admin changes (team and global) are audited; personal ones are not admin changes.
  auto actions = audit_actions(admin, "?target_type=canned_response");
  EXPECT_EQ(actions.size(), 2u);
  EXPECT_TRUE(contains(actions, "canned_response.created"));
}

// ---- contacts ------------------------------------------------------------------------------

std::int64_t contact_for(Api& api, const std::string& external_id) {
  auto r = api.get("/v1/contacts?q=" + external_id);
  EXPECT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["items"].size(), 1u) << r.raw;
  return r.body["items"][0]["id"].asInt64();
}

void say(TestGateway& gw, const Json::Value& channel, const std::string& contact, const std::string& text,
         const std::string& name = "") {
  Json::Value m;
  m["contact"]["id"] = contact;
  if (!name.empty()) m["contact"]["name"] = name;
  m["text"] = text;
  auto r = gw.post_signed(channel, omnigate::schema::write_json(m));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
}

TEST(WorkbenchContacts, MergeMovesIdentitiesAndConversations) {
  TestGateway gw;
  Api agent(gw, gw.agent_token());
  Api admin(gw, gw.admin_token());
  auto wechat = gw.create_channel("webhook", "WeChat relay");
  auto mail = gw.create_channel("webhook", "Mail relay");
  say(gw, wechat, "oWx-openid-1", "我的快递到哪了？", "李雷");
  say(gw, mail, "lilei@example.com", "Where is my parcel?");
  say(gw, mail, "someone-else@example.com", "Unrelated");
  std::int64_t wx = contact_for(agent, "oWx");
  std::int64_t em = contact_for(agent, "lilei@");
  ASSERT_NE(wx, em);

  auto patched = agent.patch("/v1/contacts/" + std::to_string(em),
                             R"({"attributes":{"vip":"gold","language":"en"},"tags":["vip"]})");
  ASSERT_EQ(patched.status, 200) << patched.raw;
  ASSERT_EQ(agent.patch("/v1/contacts/" + std::to_string(wx), R"({"attributes":{"language":"zh"},"tags":["repeat"]})").status,
            200);

  auto merged = agent.post("/v1/contacts/" + std::to_string(wx) + "/merge", "{\"other\":" + std::to_string(em) + "}");
  ASSERT_EQ(merged.status, 200) << merged.raw;
  const Json::Value& c = merged.body;
  EXPECT_EQ(c["name"].asString(), "李雷");
  EXPECT_EQ(c["identities"].size(), 2u);
  std::set<std::string> channel_names;
  for (const auto& i : c["identities"]) channel_names.insert(i["channel_name"].asString());
  EXPECT_EQ(channel_names, (std::set<std::string>{"WeChat relay", "Mail relay"}));
  ASSERT_EQ(c["conversations"].size(), 2u);
  for (const auto& conv : c["conversations"]) EXPECT_FALSE(conv["channel"]["name"].asString().empty());
  EXPECT_EQ(c["attributes"]["language"].asString(), "zh");  // the surviving contact's value wins
  EXPECT_EQ(c["attributes"]["vip"].asString(), "gold");
  EXPECT_EQ(omnigate::schema::write_json(c["tags"]), R"(["repeat","vip"])");

  // The other contact points here and is out of searches.
  auto gone = agent.get("/v1/contacts/" + std::to_string(em));
  ASSERT_EQ(gone.status, 200);
  EXPECT_EQ(gone.body["merged_into"].asInt64(), wx);
  EXPECT_EQ(gone.body["identities"].size(), 0u);
  EXPECT_EQ(contact_for(agent, "lilei@"), wx);
  // A new mail from that address reaches the merged contact's conversation.
  say(gw, mail, "lilei@example.com", "Any news?");
  auto after = agent.get("/v1/contacts/" + std::to_string(wx)).body;
  ASSERT_EQ(after["conversations"].size(), 2u);
  for (const auto& conv : after["conversations"]) {
    if (conv["channel"]["name"].asString() == "Mail relay") {
      EXPECT_EQ(conv["last_seq"].asInt64(), 2);
    }
  }

  // Merging again, or into itself, or across an open conversation clash is refused.
  EXPECT_EQ(agent.post("/v1/contacts/" + std::to_string(wx) + "/merge", "{\"other\":" + std::to_string(em) + "}").status,
            409);
  EXPECT_EQ(agent.post("/v1/contacts/" + std::to_string(wx) + "/merge", "{\"other\":" + std::to_string(wx) + "}").status,
            400);
  std::int64_t other = contact_for(agent, "someone-else");
  auto clash = agent.post("/v1/contacts/" + std::to_string(wx) + "/merge", "{\"other\":" + std::to_string(other) + "}");
  EXPECT_EQ(clash.status, 409) << clash.raw;
  EXPECT_EQ(clash.body["error"]["code"].asString(), "open_conversations_clash");
  EXPECT_EQ(agent.get("/v1/contacts/" + std::to_string(other)).body["identities"].size(), 1u);  // rolled back
  EXPECT_EQ(agent.post("/v1/contacts/999/merge", R"({"other":1})").status, 404);
  EXPECT_EQ(agent.post("/v1/contacts/1/merge", R"({"other":"x"})").status, 400);

  auto audit = admin.get("/v1/admin/audit?action=contact.merged");
  ASSERT_EQ(audit.body["items"].size(), 1u);
  EXPECT_EQ(audit.body["items"][0]["target_id"].asInt64(), wx);
  EXPECT_EQ(audit.body["items"][0]["detail"]["other"].asInt64(), em);
  EXPECT_EQ(audit.body["items"][0]["detail"]["conversations_moved"].asInt64(), 1);
}

TEST(WorkbenchContacts, SearchAndEdit) {
  TestGateway gw;
  Api agent(gw, gw.agent_token());
  auto ch = gw.create_channel("webhook", "shop");
  say(gw, ch, "u-1", "hi", "韩梅梅");
  say(gw, ch, "u-2", "hi", "Han Solo");
  say(gw, ch, "u-3", "hi", "Lucy");
  auto names = [&](const std::string& q) {
    std::vector<std::string> out;
    const Json::Value found = agent.get("/v1/contacts?q=" + httplib::detail::encode_query_param(q)).body["items"];
    for (const auto& c : found)
      out.push_back(c["name"].asString());
    return out;
  };
  EXPECT_EQ(names("韩"), (std::vector<std::string>{"韩梅梅"}));
  EXPECT_EQ(names("han"), (std::vector<std::string>{"Han Solo"}));
  EXPECT_EQ(names("u-"), (std::vector<std::string>{"Lucy", "Han Solo", "韩梅梅"}));  // newest first
  EXPECT_EQ(names("%").size(), 0u);
  // Paging.
  auto first = agent.get("/v1/contacts?limit=2").body;
  ASSERT_EQ(first["items"].size(), 2u);
  auto second = agent.get("/v1/contacts?limit=2&cursor=" + std::to_string(first["next"].asInt64())).body;
  ASSERT_EQ(second["items"].size(), 1u);
  EXPECT_TRUE(second["next"].isNull());

  std::int64_t lucy = contact_for(agent, "u-3");
  auto edited = agent.patch("/v1/contacts/" + std::to_string(lucy),
                            R"({"name":"Lucy Li","attributes":{"tier":"vip","region":"SH"},"tags":["a","b"]})");
  ASSERT_EQ(edited.status, 200) << edited.raw;
  auto removed = agent.patch("/v1/contacts/" + std::to_string(lucy), R"({"attributes":{"region":null}})");
  EXPECT_EQ(omnigate::schema::write_json(removed.body["attributes"]), R"({"tier":"vip"})");
  EXPECT_EQ(removed.body["name"].asString(), "Lucy Li");
  EXPECT_EQ(agent.patch("/v1/contacts/" + std::to_string(lucy), R"({"attributes":[1]})").status, 400);
  EXPECT_EQ(agent.patch("/v1/contacts/99999", R"({"name":"x"})").status, 404);
}

// The inbox marks VIPs by the router's rule (gateway/store/vip.h): the contact's vip attribute,
// or a "vip" tag on the contact or the conversation; lists and single reads agree.
TEST(WorkbenchContacts, ConversationJsonSaysWhetherTheContactIsAVip) {
  TestGateway gw;
  Api agent(gw, gw.agent_token());
  auto ch = gw.create_channel("webhook", "shop");
  say(gw, ch, "gold-1", "hi", "Gold");
  say(gw, ch, "declined-1", "hi", "Declined");
  say(gw, ch, "plain-1", "hi", "Plain");
  ASSERT_EQ(agent.patch("/v1/contacts/" + std::to_string(contact_for(agent, "gold-1")), R"({"attributes":{"vip":"gold"}})").status,
            200);
  ASSERT_EQ(agent.patch("/v1/contacts/" + std::to_string(contact_for(agent, "declined-1")),
                        R"({"attributes":{"vip":"no","tier":"basic"}})")
                .status,
            200);
  auto vip_by_name = [&] {
    std::map<std::string, bool> out;
    auto r = agent.get("/v1/conversations?view=all");
    EXPECT_EQ(r.status, 200) << r.raw;
    for (const auto& c : r.body["items"]) {
      EXPECT_TRUE(c["vip"].isBool()) << omnigate::schema::write_json(c);
      out[c["contact"]["name"].asString()] = c["vip"].asBool();
      auto one = agent.get("/v1/conversations/" + id_of(c));
      EXPECT_EQ(one.body["vip"], c["vip"]) << one.raw;
    }
    return out;
  };
  EXPECT_EQ(vip_by_name(), (std::map<std::string, bool>{{"Gold", true}, {"Declined", false}, {"Plain", false}}));

  // A "vip" tag on the conversation counts too; clearing the attribute takes the mark away.
  std::string plain;
  const Json::Value listed = agent.get("/v1/conversations?view=all").body["items"];
  for (const auto& c : listed)
    if (c["contact"]["name"].asString() == "Plain") plain = id_of(c);
  ASSERT_FALSE(plain.empty());
  auto tagged = agent.patch("/v1/conversations/" + plain, R"({"tags":["vip"]})");
  ASSERT_EQ(tagged.status, 200) << tagged.raw;
  EXPECT_TRUE(tagged.body["vip"].asBool()) << tagged.raw;
  ASSERT_EQ(agent.patch("/v1/contacts/" + std::to_string(contact_for(agent, "gold-1")), R"({"attributes":{"vip":false}})").status,
            200);
  EXPECT_EQ(vip_by_name(), (std::map<std::string, bool>{{"Gold", false}, {"Declined", false}, {"Plain", true}}));
}

// ---- what agents may see ------------------------------------------------------------------

// Every GET route an agent can call (from the gateway's own route list),
// with real ids: none may answer a channel secret or token, or a password hash.
TEST(WorkbenchAccess, AgentsNeverReceiveSecretsFromAnyRouteTheyCanCall) {
  TestGateway gw;
  Api admin(gw, gw.admin_token());
  Api agent(gw, gw.agent_token());
  auto hook = gw.create_channel("webhook", "signed events");
  auto web = gw.create_channel("web", "site chat", parse(R"({"allowed_origins":["https://shop.test"]})"));
  say(gw, hook, "cust-1", "hello");
  std::int64_t contact = contact_for(agent, "cust-1");
  canned(admin, R"({"shortcode":"hi","body":"hello","scope":"global"})");

  std::vector<std::string> secrets = {hook["token"].asString(), web["token"].asString()};
  for (const auto& ch : {hook, web})
    for (const auto& name : ch["secrets"].getMemberNames()) secrets.push_back(ch["secrets"][name].asString());
  ASSERT_GE(secrets.size(), 3u);

  auto config = gw.client().Get("/v1/config");
  ASSERT_TRUE(config);
  ASSERT_EQ(config->status, 200);
  int checked = 0;
  const Json::Value routes = parse(config->body)["routes"];
  for (const auto& route : routes) {
    std::string r = route.asString();
    if (!r.starts_with("GET /v1/") || r.starts_with("GET /v1/admin/") || r.starts_with("GET /v1/hooks/")) continue;
    std::string path = r.substr(4);
    // Real ids where the route names one.
    path = std::regex_replace(path, std::regex(R"(/v1/contacts/\{[a-z0-9_]+\})"), "/v1/contacts/" + std::to_string(contact));
    path = std::regex_replace(path, std::regex(R"(\{[a-z0-9_]+\})"), "1");
    auto a = agent.get(path);
    for (const auto& secret : secrets) EXPECT_EQ(a.raw.find(secret), std::string::npos) << path << " leaks a secret";
    EXPECT_EQ(a.raw.find("scrypt$"), std::string::npos) << path;
    ++checked;
  }
  EXPECT_GE(checked, 10);
  // The channel list agents get names channels only.
  auto channels = agent.get("/v1/channels");
  ASSERT_EQ(channels.status, 200);
  ASSERT_EQ(channels.body["items"].size(), 2u);
  for (const auto& c : channels.body["items"])
    EXPECT_EQ(c.getMemberNames(), (std::vector<std::string>{"enabled", "id", "name", "type"}));
  // And admins' views still carry them.
  EXPECT_NE(admin.get("/v1/admin/channels").raw.find(hook["secrets"]["secret"].asString()), std::string::npos);
}

TEST(WorkbenchAudit, RecordsAdminChangesNewestFirstWithoutSecrets) {
  TestGateway gw;
  Api admin(gw, gw.admin_token());
  std::int64_t admin_id = admin.get("/v1/me").body["id"].asInt64();
  auto ch = gw.create_channel("webhook", "audited");
  ASSERT_EQ(admin.patch("/v1/admin/channels/" + id_of(ch), R"({"name":"renamed","rotate_secrets":true})").status, 200);
  ASSERT_EQ(admin.del("/v1/admin/channels/" + id_of(ch)).status, 204);
  auto u = create_user(admin, "audited-user");
  ASSERT_EQ(admin.patch("/v1/admin/users/" + id_of(u), R"({"password":"a new password"})").status, 200);

  auto page = admin.get("/v1/admin/audit?limit=3");
  ASSERT_EQ(page.status, 200) << page.raw;
  ASSERT_EQ(page.body["items"].size(), 3u);
  EXPECT_EQ(page.body["items"][0]["action"].asString(), "user.updated");
  EXPECT_EQ(page.body["items"][0]["detail"]["password"].asString(), "changed");
  EXPECT_EQ(page.body["items"][0]["actor"].asInt64(), admin_id);
  EXPECT_EQ(page.body["items"][1]["action"].asString(), "user.created");
  EXPECT_EQ(page.body["items"][2]["action"].asString(), "channel.deleted");
  ASSERT_FALSE(page.body["next"].isNull());
  auto rest = admin.get("/v1/admin/audit?cursor=" + std::to_string(page.body["next"].asInt64()));
  std::vector<std::string> older;
  for (const auto& e : rest.body["items"]) older.push_back(e["action"].asString());
  EXPECT_EQ(older, (std::vector<std::string>{"channel.updated", "channel.created"}));
  EXPECT_TRUE(rest.body["next"].isNull());
  EXPECT_EQ(rest.body["items"][0]["detail"]["changed"].size(), 2u);

  auto all = admin.get("/v1/admin/audit?limit=500").raw;
  EXPECT_EQ(all.find(ch["secrets"]["secret"].asString()), std::string::npos);
  EXPECT_EQ(all.find(ch["token"].asString()), std::string::npos);
  EXPECT_EQ(all.find("a new password"), std::string::npos);
  EXPECT_EQ(all.find("scrypt$"), std::string::npos);
  EXPECT_EQ(admin.get("/v1/admin/audit?cursor=x").status, 400);
}

}  // namespace

// Read marks: per agent on the server (PUT /v1/conversations/{id}/read),
// unread = customer messages after the mark, and the same agent's other
// sockets hear of it.
namespace {

TEST(ReadMarks, UnreadCountsCustomerMessagesAfterEachAgentsOwnMark) {
  TestGateway gw;
  Api admin(gw, gw.admin_token());
  Api agent(gw, gw.agent_token());
  Json::Value channel = gw.create_channel("webhook", "shop");
  for (int i = 1; i <= 3; ++i)
    ASSERT_EQ(gw.post_signed(channel, R"({"external_id":"in-)" + std::to_string(i) +
                                          R"(","contact":{"id":"c-1","name":"Li"},"text":"hello )" +
                                          std::to_string(i) + R"("})")->status,
              200);
  auto list = agent.get("/v1/conversations");
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body["items"].size(), 1u);
  const std::string id = id_of(list.body["items"][0]);
  EXPECT_EQ(list.body["items"][0]["unread"].asInt64(), 3);
  EXPECT_EQ(list.body["items"][0]["read_seq"].asInt64(), 0);

  // The agent's own reply and a private note are not unread news.
  ASSERT_EQ(agent.post("/v1/conversations/" + id + "/messages", R"({"text":"on it"})").status, 201);
  ASSERT_EQ(agent.post("/v1/conversations/" + id + "/messages", R"({"text":"vip?","private":true})").status, 201);
  EXPECT_EQ(agent.get("/v1/conversations/" + id).body["unread"].asInt64(), 3);

  auto marked = agent.put("/v1/conversations/" + id + "/read", R"({"seq":2})");
  ASSERT_EQ(marked.status, 200) << marked.raw;
  EXPECT_EQ(marked.body["read_seq"].asInt64(), 2);
  EXPECT_EQ(marked.body["unread"].asInt64(), 1);
  EXPECT_EQ(agent.put("/v1/conversations/" + id + "/read", R"({"seq":1})").body["read_seq"].asInt64(), 2)
      << "a mark never moves back";
  auto past_end = agent.put("/v1/conversations/" + id + "/read", R"({"seq":999})");
  EXPECT_EQ(past_end.body["read_seq"].asInt64(), 5) << "nor past the last message";
  EXPECT_EQ(past_end.body["unread"].asInt64(), 0);

  // The list and the single view agree, and another agent's marks are their own.
  EXPECT_EQ(agent.get("/v1/conversations").body["items"][0]["unread"].asInt64(), 0);
  EXPECT_EQ(agent.get("/v1/conversations/" + id).body["read_seq"].asInt64(), 5);
  EXPECT_EQ(admin.get("/v1/conversations/" + id).body["unread"].asInt64(), 3);
  EXPECT_EQ(admin.get("/v1/conversations").body["items"][0]["read_seq"].asInt64(), 0);

  // A new customer message is unread again.
  ASSERT_EQ(gw.post_signed(channel, R"({"external_id":"in-4","contact":{"id":"c-1"},"text":"and?"})")->status, 200);
  EXPECT_EQ(agent.get("/v1/conversations/" + id).body["unread"].asInt64(), 1);

  for (const char* bad : {R"({"seq":-1})", R"({"seq":"3"})", R"({})"})
    EXPECT_EQ(agent.put("/v1/conversations/" + id + "/read", bad).status, 400) << bad;
  EXPECT_EQ(agent.put("/v1/conversations/999999/read", R"({"seq":1})").status, 404);
}

TEST(ReadMarks, OnlyConversationsTheAgentMaySeeAndTheirOtherSocketsHear) {
  TestGateway gw;
  Api admin(gw, gw.admin_token());
  Api agent(gw, gw.agent_token());
  Json::Value channel = gw.create_channel("webhook", "shop");
  ASSERT_EQ(gw.post_signed(channel, R"({"external_id":"a-1","contact":{"id":"c-1"},"text":"one"})")->status, 200);
  ASSERT_EQ(gw.post_signed(channel, R"({"external_id":"b-1","contact":{"id":"c-2"},"text":"two"})")->status, 200);
  auto items = admin.get("/v1/conversations").body["items"];
  ASSERT_EQ(items.size(), 2u);
  const std::string open_id = id_of(items[0]), closed_id = id_of(items[1]);
  ASSERT_EQ(admin.post("/v1/admin/teams", R"({"name":"billing"})").status, 201);
  ASSERT_EQ(admin.patch("/v1/conversations/" + closed_id, R"({"team":"billing"})").status, 200);
  EXPECT_EQ(agent.put("/v1/conversations/" + closed_id + "/read", R"({"seq":1})").status, 404)
      << "another team's conversation";

  WsClient tab1(gw.realtime_port(), "/v1/ws/agent?token=" + agent.token());
  WsClient tab2(gw.realtime_port(), "/v1/ws/agent?token=" + agent.token());
  WsClient other(gw.realtime_port(), "/v1/ws/agent?token=" + admin.token());
  ASSERT_EQ(agent.put("/v1/conversations/" + open_id + "/read", R"({"seq":1})").status, 200);
  for (WsClient* tab : {&tab1, &tab2}) {
    auto frame = tab->receive_type("conversation.read");
    ASSERT_TRUE(frame) << "a tab of the same agent did not hear of the mark";
    EXPECT_EQ(std::to_string((*frame)["conversation"].asInt64()), open_id);
    EXPECT_EQ((*frame)["read_seq"].asInt64(), 1);
  }
  EXPECT_FALSE(other.receive_type("conversation.read", std::chrono::milliseconds(700))) << "another agent's mark";
}

}  // namespace
