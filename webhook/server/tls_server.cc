#include "webhook/server/tls_server.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <string_view>
#include <thread>

#include "webhook/server/request_framing.h"

// The protected members used below are cpp-httplib 0.11.4's; they change
// between releases.
static_assert(std::string_view(CPPHTTPLIB_VERSION) == "0.11.4",
              "webhook/server/tls_server.cc hands cpp-httplib 0.11.4's connections to its own loops and reads its "
              "protected members: check them against this cpp-httplib version, then update this assertion");

namespace keyward {
namespace {

// One loop per core: a request is CPU work from its last byte to its
// answer, so more loops than cores only add switching.
size_t LoopCount(size_t max_connections) {
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  return std::clamp<size_t>(std::min<size_t>(cores, 8), 1, std::max<size_t>(max_connections, 1));
}

// cpp-httplib queues each accepted connection as a task; handing it to a
// loop takes no time, so the accept thread runs the task itself.
class HandOff final : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> task) override { task(); }
  void shutdown() override {}
};

// One request held whole in memory, as cpp-httplib's Stream; the answer is
// appended to `answer`.
class MemoryStream final : public httplib::Stream {
 public:
  MemoryStream(std::string_view request, const ConnectionInfo& connection, std::string* answer)
      : request_(request), connection_(connection), answer_(answer) {}

  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }

  ssize_t read(char* ptr, size_t size) override {
    size = std::min(size, request_.size());
    std::memcpy(ptr, request_.data(), size);
    request_.remove_prefix(size);
    return static_cast<ssize_t>(size);
  }

  ssize_t write(const char* ptr, size_t size) override {
    // The body is already here: a client that asked for "100 Continue" got
    // it from the loop while it was still waiting.
    if (answer_->empty() && std::string_view(ptr, size).starts_with("HTTP/1.1 1")) {
      return static_cast<ssize_t>(size);
    }
    answer_->append(ptr, size);
    return static_cast<ssize_t>(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = connection_.remote_ip;
    port = connection_.remote_port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = connection_.local_ip;
    port = connection_.local_port;
  }
  socket_t socket() const override { return connection_.sock; }

 private:
  std::string_view request_;
  const ConnectionInfo& connection_;
  std::string* answer_;
};

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

}  // namespace

// Reaches the listening socket cpp-httplib keeps to itself.
class SocketAccess : public httplib::Server {
 public:
  static socket_t Of(const httplib::Server& server) {
    // A pointer to the protected member, named through this class, may be
    // applied to any Server.
    return (server.*(&SocketAccess::svr_sock_)).load();
  }
};

socket_t ListeningSocket(const httplib::Server& server) { return SocketAccess::Of(server); }

TlsServer::TlsServer(const std::function<bool(SSL_CTX&)>& setup, const std::atomic<bool>* draining,
                     ConnectionLimits limits)
    : httplib::SSLServer(setup) {
  new_task_queue = [] { return new HandOff; };
  const size_t loops = LoopCount(limits.max_connections);
  limits.max_connections = (limits.max_connections + loops - 1) / loops;
  if (ssl_context() == nullptr) return;  // is_valid() says so
  for (size_t i = 0; i < loops; ++i) {
    RequestProcessor* processor = this;
    loops_.push_back(std::make_unique<ConnectionLoop>(ssl_context(), processor, draining, limits));
  }
}

TlsServer::~TlsServer() = default;  // the loops stop and join first

bool TlsServer::Serve() {
  const bool served = listen_after_bind();
  for (auto& loop : loops_) loop->Stop();
  for (auto& loop : loops_) loop->Join();
  return served;
}

void TlsServer::StopServing() {
  stop();
  for (auto& loop : loops_) loop->Stop();
}

bool TlsServer::process_and_close_socket(socket_t sock) {
  if (loops_.empty()) {
    ::close(sock);
    return false;
  }
  // The first request's deadline runs from now: the accept.
  loops_[next_loop_.fetch_add(1, std::memory_order_relaxed) % loops_.size()]->Adopt(sock, LoopClock::now());
  return true;
}

void TlsServer::SetPlainPost(PlainPostHandler handler, std::string content_type) {
  plain_post_ = std::move(handler);
  plain_content_type_ = std::move(content_type);
}

bool TlsServer::Answer(std::string_view request, bool close_connection, const ConnectionInfo& connection,
                       std::string* answer) {
  if (bool stays_open = false; AnswerPlainPost(request, close_connection, answer, &stays_open)) return stays_open;
  MemoryStream stream(request, connection, answer);
  bool connection_closed = false;
  SSL* ssl = connection.ssl;
  const bool ok = process_request(stream, close_connection, connection_closed,
                                  [ssl](httplib::Request& parsed) { parsed.ssl = ssl; });
  return ok && !connection_closed;
}

bool TlsServer::AnswerPlainPost(std::string_view request, bool close_connection, std::string* answer,
                                bool* stays_open) {
  PlainPost post;
  if (!plain_post_ || !ReadPlainPost(request, &post)) return false;
  std::optional<PlainAnswer> reply;
  try {
    reply = plain_post_(post.path, post.content_type, post.body);
  } catch (const std::exception&) {
    reply = PlainAnswer{500, R"({"apiVersion":"v1","kind":"Status","status":"Failure","code":500,)"
                             R"("reason":"InternalError","message":"internal error"})"};
  }
  if (!reply) return false;
  const bool close = close_connection || post.close;
  // As cpp-httplib writes an answer: its headers in its (sorted) order.
  answer->append("HTTP/1.1 ").append(std::to_string(reply->status)).append(" ").append(ReasonPhrase(reply->status));
  answer->append(close ? "\r\nConnection: close" : "");
  answer->append("\r\nContent-Length: ").append(std::to_string(reply->body.size()));
  answer->append("\r\nContent-Type: ").append(plain_content_type_);
  if (!close) {
    answer->append("\r\nKeep-Alive: timeout=")
        .append(std::to_string(keep_alive_timeout_sec_))
        .append(", max=")
        .append(std::to_string(keep_alive_max_count_));
  }
  answer->append("\r\n\r\n").append(reply->body);
  *stays_open = !close;
  return true;
}

}  // namespace keyward
