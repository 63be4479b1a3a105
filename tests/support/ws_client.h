#pragma once
// A real WebSocket client for tests (Boost.Beast): connect with an Origin,
// send JSON frames, receive frames with a timeout, observe the close code.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <json/value.h>

namespace omnigate::testing {

class WsClient {
 public:
  // Throws std::runtime_error when the upgrade is refused; `status` of the
  // refusal is then in refused_status().
  WsClient(int port, const std::string& target, const std::string& origin = "http://localhost");
  ~WsClient();
  void send(const Json::Value& frame);
  void send_text(const std::string& text);
  // The next frame, or nullopt when none came within `timeout` or the peer closed.
  std::optional<Json::Value> receive(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Waits for a frame of `type` (skipping others); nullopt on timeout.
  std::optional<Json::Value> receive_type(const std::string& type, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The peer's close code once it closed (0 before).
  int close_code() const;
  bool closed() const;
  std::string error() const;  // why the connection ended, if it did
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The HTTP status of a refused upgrade, or 101 when it was accepted.
int upgrade_status(int port, const std::string& target, const std::string& origin);

}  // namespace omnigate::testing
