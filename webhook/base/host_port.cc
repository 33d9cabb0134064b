#include "webhook/base/host_port.h"

#include <charconv>

namespace keyward {

HostPortProblem SplitHostPort(std::string_view text, std::optional<int> default_port, HostPort* out) {
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

std::string JoinHostPort(std::string_view host, std::string_view port) {
  const bool v6 = host.find(':') != std::string_view::npos;
  std::string out;
  if (v6) out += '[';
  out += host;
  if (v6) out += ']';
  out += ':';
  out += port;
  return out;
}

UrlProblem ParseHttpsUrl(std::string_view url, HttpsUrl* out) {
  constexpr std::string_view kScheme = "https://";
  if (!url.starts_with(kScheme)) return UrlProblem::kNotHttps;
  std::string_view authority = url.substr(kScheme.size());
  const size_t slash = authority.find('/');
  out->path = slash == std::string_view::npos ? "" : std::string(authority.substr(slash));
  authority = authority.substr(0, slash);
  if (authority.starts_with("[") && authority.find(']') == std::string_view::npos) return UrlProblem::kUnclosedBracket;
  if (SplitHostPort(authority, 443, &out->address) != HostPortProblem::kNone || out->address.host.empty() ||
      out->address.port == 0) {
    return UrlProblem::kBadHostOrPort;
  }
  return UrlProblem::kNone;
}

}  // namespace keyward
