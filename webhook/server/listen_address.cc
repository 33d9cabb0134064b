#include "webhook/server/listen_address.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "webhook/server/tls_server.h"

namespace keyward {
namespace {

constexpr int kAcceptBacklog = 1024;

// SO_REUSEADDR lets a restarted server bind while old connections linger in
// TIME_WAIT; cpp-httplib's default SO_REUSEPORT would instead let two
// servers share the port unnoticed.
void ReuseAddressOnly(socket_t socket) {
  int yes = 1;
  ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

}  // namespace

HostPortProblem SplitHostPort(std::string_view text, std::optional<int> default_port, ListenAddress* out) {
  const size_t colon = text.rfind(':');
  // A colon inside "[...]" belongs to an IPv6 address, not to a port.
  const bool has_port = colon != std::string_view::npos && text.find(']', colon) == std::string_view::npos;
  if (!has_port && !default_port) return HostPortProblem::kNoPort;
  std::string_view host = has_port ? text.substr(0, colon) : text;
  int port = default_port.value_or(0);
  if (has_port) {
    const std::string_view digits = text.substr(colon + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port < 0 || port > 65535) {
      return HostPortProblem::kBadPort;
    }
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  out->host = std::string(host);
  out->port = port;
  return HostPortProblem::kNone;
}

Status ParseListenAddress(std::string_view text, ListenAddress* out) {
  const std::string where = "listen address \"" + std::string(text) + "\"";
  switch (SplitHostPort(text, std::nullopt, out)) {
    case HostPortProblem::kNoPort:
      return Status::Error("has no port", where, "write host:port, e.g. 0.0.0.0:8443");
    case HostPortProblem::kBadPort:
      return Status::Error("has an invalid port", where, "use 0-65535");
    case HostPortProblem::kNone:
      break;
  }
  if (out->host.empty()) out->host = "0.0.0.0";
  return Status::Ok();
}

Result<int> BindServer(httplib::Server& server, const ListenAddress& address) {
  server.set_socket_options(ReuseAddressOnly);
  int port = address.port;
  errno = 0;
  if (address.port == 0) {
    port = server.bind_to_any_port(address.host);
  } else if (!server.bind_to_port(address.host, address.port)) {
    port = -1;
  }
  if (port <= 0) {
    return Status::IoError("cannot listen on " + address.host + ":" + std::to_string(address.port) +
                           (errno != 0 ? std::string(": ") + std::strerror(errno) : std::string()));
  }
  ::listen(ListeningSocket(server), kAcceptBacklog);
  return port;
}

}  // namespace keyward
