// Listening sockets for the two servers: address parsing and binding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <httplib.h>

#include "webhook/base/status.h"

namespace keyward {

struct ListenAddress {
  std::string host;  // "0.0.0.0", "::", "127.0.0.1", a host name
  int port = 0;      // 0: any free port
};

// Splits "host:port" or "[v6]:port" (the brackets removed), and "host" or
// "[v6]" alone when a default port is given. The one host:port parser of
// the server's flags and the review client's URL; each words its errors.
enum class HostPortProblem { kNone, kNoPort, kBadPort };
HostPortProblem SplitHostPort(std::string_view text, std::optional<int> default_port, ListenAddress* out);

// Parses "host:port", "[v6]:port" or ":port" (all IPv4 interfaces).
Status ParseListenAddress(std::string_view text, ListenAddress* out);

// Binds `server` and raises its accept backlog (cpp-httplib listens with a
// backlog of 5, which drops connection bursts). Returns the bound port.
Result<int> BindServer(httplib::Server& server, const ListenAddress& address);

}  // namespace keyward
