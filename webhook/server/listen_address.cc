#include "webhook/server/listen_address.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace keyward {
namespace {

constexpr int kAcceptBacklog = 1024;

// SO_REUSEADDR lets a restarted server bind while old connections linger in
// TIME_WAIT; SO_REUSEPORT (cpp-httplib's default) would instead let two
// servers share the port unnoticed.
void ReuseAddressOnly(int socket) {
  int yes = 1;
  ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

int BoundPort(int socket) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) return -1;
  if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  return -1;
}

Status CannotListen(const ListenAddress& address, std::string_view why) {
  return Status::IoError("cannot listen on " + address.host + ":" + std::to_string(address.port) +
                         (why.empty() ? std::string() : ": " + std::string(why)));
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

Result<ListeningSocket> Listen(const ListenAddress& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address.port);
  if (const int error = ::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found); error != 0) {
    return CannotListen(address, ::gai_strerror(error));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> results(found, ::freeaddrinfo);
  int last_error = 0;
  for (const addrinfo* candidate = found; candidate != nullptr; candidate = candidate->ai_next) {
    const int fd = ::socket(candidate->ai_family, candidate->ai_socktype | SOCK_CLOEXEC,
                            candidate->ai_protocol);
    if (fd < 0) {
      last_error = errno;
      continue;
    }
    ReuseAddressOnly(fd);
    if (candidate->ai_family == AF_INET6) {
      const int no = 0;
      ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof no);
    }
    if (::bind(fd, candidate->ai_addr, candidate->ai_addrlen) != 0 || ::listen(fd, kAcceptBacklog) != 0) {
      last_error = errno;
      ::close(fd);
      continue;
    }
    return ListeningSocket{fd, BoundPort(fd)};
  }
  return CannotListen(address, last_error != 0 ? std::strerror(last_error) : "no address to bind");
}

Result<int> BindServer(httplib::Server& server, const ListenAddress& address) {
  // cpp-httplib hands its socket to this callback before binding it: kept,
  // to raise the backlog afterwards.
  auto listening = std::make_shared<int>(-1);
  server.set_socket_options([listening](socket_t socket) {
    ReuseAddressOnly(socket);
    *listening = socket;
  });
  int port = address.port;
  errno = 0;
  if (address.port == 0) {
    port = server.bind_to_any_port(address.host);
  } else if (!server.bind_to_port(address.host, address.port)) {
    port = -1;
  }
  if (port <= 0) return CannotListen(address, errno != 0 ? std::strerror(errno) : "");
  ::listen(*listening, kAcceptBacklog);
  return port;
}

}  // namespace keyward
