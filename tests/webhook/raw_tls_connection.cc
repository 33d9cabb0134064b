#include "tests/webhook/raw_tls_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace keyward::testing {

RawTlsConnection::RawTlsConnection(int port, const std::string& ca_path, TlsOffer offer) {
  socket_ = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{10, 0};
  ::setsockopt(socket_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(socket_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(socket_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return;
  context_ = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(context_, ca_path.c_str(), nullptr);
  SSL_CTX_set_verify(context_, SSL_VERIFY_PEER, nullptr);
  // Level 0 lets the client offer legacy protocols, to see the server refuse.
  SSL_CTX_set_security_level(context_, 0);
  if (offer.min_version != 0) SSL_CTX_set_min_proto_version(context_, offer.min_version);
  if (offer.max_version != 0) SSL_CTX_set_max_proto_version(context_, offer.max_version);
  if (offer.tls12_ciphers != nullptr) SSL_CTX_set_cipher_list(context_, offer.tls12_ciphers);
  SSL* ssl = SSL_new(context_);
  SSL_set_fd(ssl, socket_);
  SSL_set1_host(ssl, "127.0.0.1");
  if (SSL_connect(ssl) == 1) {
    ssl_ = ssl;
  } else {
    SSL_free(ssl);
  }
}

RawTlsConnection::~RawTlsConnection() {
  if (ssl_ != nullptr) {
    SSL_shutdown(ssl_);
    SSL_free(ssl_);
  }
  if (context_ != nullptr) SSL_CTX_free(context_);
  if (socket_ >= 0) ::close(socket_);
}

long RawTlsConnection::PeerCertificateSerial() const {
  if (ssl_ == nullptr) return -1;
  X509* certificate = SSL_get1_peer_certificate(ssl_);
  if (certificate == nullptr) return -1;
  const long serial = ASN1_INTEGER_get(X509_get0_serialNumber(certificate));
  X509_free(certificate);
  return serial;
}

bool RawTlsConnection::Write(std::string_view bytes) {
  if (ssl_ == nullptr) return false;
  while (!bytes.empty()) {
    const int written = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    if (written <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

bool RawTlsConnection::ReadResponse(RawResponse* out) {
  if (ssl_ == nullptr) return false;
  auto fill = [this] {
    char chunk[16384];
    const int read = SSL_read(ssl_, chunk, sizeof chunk);
    if (read <= 0) return false;
    buffered_.append(chunk, static_cast<size_t>(read));
    return true;
  };
  size_t header_end;
  while ((header_end = buffered_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return false;
  }
  const std::string head = buffered_.substr(0, header_end);
  buffered_.erase(0, header_end + 4);
  *out = RawResponse{};
  if (head.size() < 12 || head.compare(0, 9, "HTTP/1.1 ") != 0) return false;
  out->status = std::stoi(head.substr(9, 3));
  size_t line_start = head.find("\r\n");
  while (line_start != std::string::npos) {
    line_start += 2;
    const size_t line_end = head.find("\r\n", line_start);
    const std::string line = head.substr(line_start, line_end == std::string::npos ? std::string::npos
                                                                                    : line_end - line_start);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      out->headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    line_start = line_end;
  }
  const size_t length = out->headers.count("content-length") ? std::stoul(out->headers["content-length"]) : 0;
  while (buffered_.size() < length) {
    if (!fill()) return false;
  }
  out->body = buffered_.substr(0, length);
  buffered_.erase(0, length);
  return true;
}

bool RawTlsConnection::Post(const std::string& path, const std::string& body, RawResponse* out) {
  return Write(PostRequest(path, body)) && ReadResponse(out);
}

std::string RawTlsConnection::PostRequest(const std::string& path, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace keyward::testing
