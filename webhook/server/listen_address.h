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

// Binds `server` and raises its accept backlog (cpp-httplib listens with a
// backlog of 5, which drops connection bursts). Returns the bound port.
Result<int> BindServer(httplib::Server& server, const ListenAddress& address);

}  // namespace keyward
