#pragma once
// The adapter contract: an adapter turns one channel's protocol into the
// internal model (ingest) and sends the model back out through it (deliver).
// It knows nothing of the store, the router or the HTTP server: the gateway's
// front hands it a plain InboundRequest and persists what it returns.
#include <chrono>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <json/value.h>

#include "schema/channel.h"
#include "schema/message.h"

namespace omnigate::adapters {

struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};
using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;
using QueryParams = std::multimap<std::string, std::string>;

struct InboundRequest {
  std::string method;
  std::string path;
  QueryParams query;
  Headers headers;
  std::string body;
  std::string remote_addr;

  // First value of a header / query parameter, or "" when absent.
  std::string header(std::string_view name) const;
  std::string param(std::string_view name) const;
};

struct HttpAnswer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// A follow-up pull an ingest asks the gateway for. Some push callbacks only
// say "there is news" (WeCom 微信客服's kf_msg_or_event): the messages must be
// fetched from the channel's API. The adapter cannot do that inside ingest
// (the channel wants its answer within seconds, and adapters know nothing of
// the store), so it returns a PullRequest; once the callback is answered the
// gateway runs it in the background through Adapter::pull, at most one pull
// per channel at a time (across nodes), keeping the cursor per
// (channel, cursor_key) and saving a page's next cursor only after that page's
// messages are durable. A crash therefore re-reads at most one page, which
// the store's idempotency on external_id absorbs.
struct PullRequest {
  std::string kind;        // which pull, for the adapter (e.g. "wecom_kf_sync")
  std::string cursor_key;  // where the gateway keeps this pull's cursor, per channel
  Json::Value params;      // whatever the adapter needs (a callback token, an account id)
};

// A pull that failed. retryable: the channel or network may recover, so the
// gateway may run the same pull again later.
class PullError : public std::runtime_error {
 public:
  PullError(bool retryable, const std::string& message) : std::runtime_error(message), retryable_(retryable) {}
  bool retryable() const { return retryable_; }

 private:
  bool retryable_;
};

struct PullResult {
  int pages = 0;
  std::string cursor;  // the cursor the next pull starts from
};

// Called once per fetched page with its messages (normalized, possibly none)
// and the cursor after it. The pull waits for it to return (the gateway
// persists the page and then its cursor there); if it throws, the pull stops
// and the exception propagates out of pull().
using PullPageHandler =
    std::function<void(std::vector<schema::Message> messages, const std::string& next_cursor)>;

// Bytes a message part refers to by hash (an email attachment's
// extra.sha256): the part stays small in the message row, the gateway keeps
// the bytes once per hash (blobs table) before it stores the messages, and
// agents download them from GET /v1/files/{sha256}.
struct Blob {
  std::string sha256;  // lowercase hex of the bytes
  std::string content_type;
  std::string filename;  // the name the part gave it; may be empty
  std::string bytes;
};

struct Ingest {
  std::vector<schema::Message> messages;
  // What the messages' parts refer to by sha256 (see Blob).
  std::vector<Blob> blobs;
  // Pulls for the gateway to run after answering (see PullRequest).
  std::vector<PullRequest> pulls;
  // What the channel gets once the messages are durable.
  HttpAnswer answer;
  // For JSON channels: answer with the stored messages (ids, seq, duplicate
  // flags) instead of `answer`.
  bool answer_with_stored_messages = false;
};

struct Delivery {
  enum class Outcome { sent, retry, failed };
  Outcome outcome = Outcome::sent;
  std::string external_id;  // the channel's id for the sent message
  std::string error;        // shown to the agent for retry/failed
  // For retry: the least wait the channel asked for (Retry-After, a quota
  // window); 0 leaves the delay to the dispatcher's backoff.
  std::chrono::seconds retry_after{0};
};

// Bad input from a channel or an admin. The front answers it with `status` and
// {"error":{"code":code,"message":what()}}, logs it once, and carries on.
class AdapterError : public std::runtime_error {
 public:
  AdapterError(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }

  static AdapterError bad_request(const std::string& m) { return {400, "bad_request", m}; }
  static AdapterError invalid_config(const std::string& m) { return {400, "invalid_config", m}; }
  static AdapterError bad_signature(const std::string& m) { return {401, "bad_signature", m}; }
  static AdapterError method_not_allowed(const std::string& m) { return {405, "method_not_allowed", m}; }

 private:
  int status_;
  std::string code_;
};

// Everything an adapter needs to send one message through its channel; the
// dispatcher fills it from the store, so adapters never query anything.
struct Outbound {
  schema::Message message;     // as stored: id, conversation_id, parts, sender (the agent)
  std::string recipient_id;    // the contact's id on this channel (OpenID, address, visitor id)
  std::string recipient_name;
  int attempt = 1;             // 1 on the first try; receivers may dedupe on message.id
  // The conversation before this message, oldest first: its latest messages
  // (at most 20, private notes left out) plus its latest customer message
  // if that is older. Channels whose replies must point at what they answer
  // need it (email: In-Reply-To, References, "Re: <the customer's subject>"),
  // and adapters never query the store. Filled for email channels only, to
  // keep the claim cheap; empty elsewhere. metadata.email.full_text is left
  // out of these copies (a reply never needs the quoted original).
  std::vector<schema::Message> thread;
  // The bytes of the message's own file/image parts that the gateway keeps
  // (an agent's uploaded attachment: the part's extra.sha256 -> bytes), so a
  // channel that sends files inline (email) can attach them without
  // querying the store. Empty when no part names kept bytes.
  std::map<std::string, std::string> files;
};

// One thing a channel's connection test tried (see Adapter::test_connection).
struct ConnectionCheck {
  std::string name;    // what was tried: "imap", "smtp", "access_token", "api", "outbound_url"
  bool ok = false;
  std::string detail;  // what answered, or what went wrong, in words an admin can act on; never a secret
  std::chrono::milliseconds took{0};
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual schema::ChannelType type() const = 0;
  // Validates an admin's channel config and fills in what the adapter
  // generates (signing secrets). Called on create and on every config change.
  virtual void configure(schema::Channel& channel) const = 0;
  // Verify + normalize. Throws AdapterError for bad input.
  virtual Ingest ingest(const schema::Channel& channel, const InboundRequest& request) const = 0;
  // Outbound through the channel's API. Must not throw for channel-side
  // failures: they are Delivery outcomes (retry / failed with a reason).
  virtual Delivery deliver(const schema::Channel& channel, const Outbound& outbound) const = 0;
  // Runs a PullRequest that this adapter's ingest returned, from `cursor`
  // ("" the first time), page by page through on_page. Throws PullError.
  // The default: this adapter has no pulls.
  virtual PullResult pull(const schema::Channel& channel, const PullRequest& request, const std::string& cursor,
                          const PullPageHandler& on_page) const {
    (void)channel, (void)cursor, (void)on_page;
    throw PullError(false, "this channel type has no pull \"" + request.kind + "\"");
  }
  // Tries what the channel's config points at, without sending anything a
  // customer would see: logs in to the mail servers, fetches an API token,
  // pings the integrator's URL. One check per thing tried, in order; a check
  // that failed stops the ones that depend on it. Blocking (each check is
  // bounded by its client's timeouts); never throws for channel-side
  // trouble. The default: nothing this channel type could test (the widget
  // and app channels only answer connections), an empty list.
  virtual std::vector<ConnectionCheck> test_connection(const schema::Channel& channel) const {
    (void)channel;
    return {};
  }
};

}  // namespace omnigate::adapters
