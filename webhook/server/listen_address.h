// Listening sockets for the two servers: address parsing and binding.
#pragma once

#include <string>
#include <string_view>

#include <httplib.h>

#include "webhook/base/host_port.h"
#include "webhook/base/status.h"

namespace keyward {

// The host is "0.0.0.0", "::", "127.0.0.1" or a host name; port 0 is any
// free port.
using ListenAddress = HostPort;

// Parses "host:port", "[v6]:port" or ":port" (all IPv4 interfaces).
Status ParseListenAddress(std::string_view text, ListenAddress* out);

// A listening TCP socket of the address's first family that binds (IPv6
// ones accept IPv4 too), close-on-exec, with a backlog that absorbs
// connection bursts; `port` is the one bound (for port 0, the one
// the kernel chose).
struct ListeningSocket {
  int fd = -1;
  int port = 0;
};
Result<ListeningSocket> Listen(const ListenAddress& address);

// Binds cpp-httplib's `server` (the operations port) and raises its accept
// backlog likewise (cpp-httplib listens with a backlog of 5). Returns the
// bound port.
Result<int> BindServer(httplib::Server& server, const ListenAddress& address);

}  // namespace keyward
