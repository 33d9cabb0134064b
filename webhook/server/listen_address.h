// Listening sockets for the two servers: address parsing and binding.
#pragma once

#include <string>
#include <string_view>

#include <httplib.h>

namespace keyward {

struct ListenAddress {
  std::string host;  // "0.0.0.0", "::", "127.0.0.1", a host name
  int port = 0;      // 0: any free port
};

// Parses "host:port", "[v6]:port" or ":port" (all IPv4 interfaces). Returns
// an empty string on success, else what is wrong.
std::string ParseListenAddress(std::string_view text, ListenAddress* out);

// Binds `server` and raises its accept backlog (cpp-httplib listens with a
// backlog of 5, which drops connection bursts). Returns the bound port, or
// -1 with *error set.
int BindServer(httplib::Server& server, const ListenAddress& address, std::string* error);

}  // namespace keyward
