#include "webhook/server/listen_address.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
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
