#include "tests/support/ws_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <stdexcept>
#include <utility>

#include "schema/json.h"

namespace omnigate::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct WsClient::Impl {
  net::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  beast::flat_buffer buffer;
  // A read that outlived its receive() stays pending for the next call, so a
  // "nothing within 500 ms" check leaves the socket usable.
  bool reading = false;
  std::optional<Json::Value> arrived;
  bool closed = false;
  int code = 0;
  std::string error;
};

WsClient::WsClient(int port, const std::string& target, const std::string& origin) : impl_(std::make_unique<Impl>()) {
  impl_->ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  impl_->ws.set_option(websocket::stream_base::decorator(
      [origin](websocket::request_type& req) { req.set(beast::http::field::origin, origin); }));
  impl_->ws.handshake("127.0.0.1:" + std::to_string(port), target);
}

WsClient::~WsClient() {
  beast::error_code ec;
  if (!impl_->closed) impl_->ws.next_layer().close(ec);
}

void WsClient::send(const Json::Value& frame) { send_text(schema::write_json(frame)); }

void WsClient::send_text(const std::string& text) {
  impl_->ws.text(true);
  impl_->ws.write(net::buffer(text));
}

std::optional<Json::Value> WsClient::receive(std::chrono::milliseconds timeout) {
  Impl& d = *impl_;
  if (!d.reading) {
    if (d.closed) return std::nullopt;
    d.buffer.clear();
    d.reading = true;
    d.ws.async_read(d.buffer, [&d](beast::error_code ec, size_t) {
      d.reading = false;
      if (ec) {
        // Closed by a close frame (code known) or torn down (code 0).
        d.closed = true;
        d.code = d.ws.reason().code;
        d.error = ec.message();
        return;
      }
      d.arrived = schema::parse_json(beast::buffers_to_string(d.buffer.data()));
    });
  }
  d.ioc.restart();
  d.ioc.run_for(timeout);  // returns early once the read completes (no work left)
  if (d.reading) return std::nullopt;
  return std::exchange(d.arrived, std::nullopt);
}

std::optional<Json::Value> WsClient::receive_type(const std::string& type, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto f = receive(left);
    if (!f) return std::nullopt;
    if ((*f)["type"].asString() == type) return f;
  }
  return std::nullopt;
}

int WsClient::close_code() const { return impl_->code; }
std::string WsClient::error() const { return impl_->error; }
bool WsClient::closed() const { return impl_->closed; }

void WsClient::close() {
  Impl& d = *impl_;
  if (d.reading) {
    // A read is pending: close alongside it (Beast allows one of each).
    d.ws.async_close(websocket::close_code::normal, [](beast::error_code) {});
    d.ioc.restart();
    d.ioc.run_for(std::chrono::seconds(2));
  } else {
    beast::error_code ec;
    d.ws.close(websocket::close_code::normal, ec);
  }
  d.closed = true;
}

int upgrade_status(int port, const std::string& target, const std::string& origin) {
  net::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  ws.set_option(websocket::stream_base::decorator(
      [origin](websocket::request_type& req) { req.set(beast::http::field::origin, origin); }));
  websocket::response_type res;
  beast::error_code ec;
  ws.handshake(res, "127.0.0.1:" + std::to_string(port), target, ec);
  return static_cast<int>(res.result_int());
}

}  // namespace omnigate::testing
