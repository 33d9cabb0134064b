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

std::string ParseListenAddress(std::string_view text, ListenAddress* out) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return "listen address \"" + std::string(text) + "\" has no port: write host:port, e.g. 0.0.0.0:8443";
  }
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int value = -1;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value < 0 || value > 65535) {
    return "listen address \"" + std::string(text) + "\" has an invalid port: use 0-65535";
  }
  out->host = host.empty() ? "0.0.0.0" : std::string(host);
  out->port = value;
  return "";
}

int BindServer(httplib::Server& server, const ListenAddress& address, std::string* error) {
  server.set_socket_options(ReuseAddressOnly);
  int port = address.port;
  errno = 0;
  if (address.port == 0) {
    port = server.bind_to_any_port(address.host);
  } else if (!server.bind_to_port(address.host, address.port)) {
    port = -1;
  }
  if (port <= 0) {
    *error = "cannot listen on " + address.host + ":" + std::to_string(address.port) +
             (errno != 0 ? std::string(": ") + std::strerror(errno) : std::string());
    return -1;
  }
  ::listen(ListeningSocket(server), kAcceptBacklog);
  return port;
}

}  // namespace keyward
