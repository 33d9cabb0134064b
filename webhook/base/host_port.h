// Host and port: "host:port" as flags give them, and https:// URLs as
// kubeconfigs and `keyward review --server` give them. Each caller words its
// own errors, so these answer with what is wrong rather than a message.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace keyward {

struct HostPort {
  std::string host;  // an IPv6 address without its brackets
  int port = 0;
};

// Splits "host:port" or "[v6]:port" (the brackets removed), and "host" or
// "[v6]" alone when a default port is given. The port is 0-65535.
enum class HostPortProblem { kNone, kNoPort, kBadPort };
HostPortProblem SplitHostPort(std::string_view text, std::optional<int> default_port, HostPort* out);

// "host:port", or "[host]:port" when the host is an IPv6 address.
std::string JoinHostPort(std::string_view host, std::string_view port);

struct HttpsUrl {
  HostPort address;  // the port 443 when the URL names none
  std::string path;  // "" or from the first '/' on
};

// Parses https://host[:port][/path]; the host is not empty and the port is
// 1-65535.
enum class UrlProblem { kNone, kNotHttps, kUnclosedBracket, kBadHostOrPort };
UrlProblem ParseHttpsUrl(std::string_view url, HttpsUrl* out);

}  // namespace keyward
