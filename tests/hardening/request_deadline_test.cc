// The whole-request deadline (`--request-timeout`), against the real binary
// on 127.0.0.1: clients that trickle a request (its TLS handshake, head or
// body) a byte at a time never trip the per-read timeout, yet each is cut at
// its deadline, so even more of them than threads cannot keep a
// well-behaved client waiting for more than about one deadline.
//
// Margins are wide: the suite also runs under AddressSanitizer and
// ThreadSanitizer on a busy 2-core machine.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include "tests/hardening/server_test_fixture.h"

namespace keyward::hardening {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

class RequestDeadlineTest : public ServerTest {};

// How often a trickling client sends its next byte: far below the read
// timeout (10 s), so only the whole-request deadline can stop it.
constexpr milliseconds kDripInterval{300};
// Lateness allowed past a deadline before a connection counts as kept.
constexpr milliseconds kCloseMargin{3000};
// Earliness allowed: the client's clock starts before the server's accept,
// so a close is never really early; this covers clock granularity only.
constexpr milliseconds kCloseSlack{250};

milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

// A TLS client on a socket of its own, so that between two bytes it can wait
// for the server to close the connection (TlsConnection cannot tell a read
// timeout from a close).
class TricklingClient {
 public:
  TricklingClient() = default;
  TricklingClient(const TricklingClient&) = delete;
  TricklingClient& operator=(const TricklingClient&) = delete;
  ~TricklingClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (context_ != nullptr) SSL_CTX_free(context_);
    if (fd_ >= 0) ::close(fd_);
  }

  // Connects and completes a TLS handshake within `timeout`; false when the
  // server closes the connection (or anything fails) first.
  bool Connect(int port, milliseconds timeout) {
    // Writing to a connection the server has cut must fail, not kill the test.
    static const bool ignoring_sigpipe = ::signal(SIGPIPE, SIG_IGN) != SIG_ERR;
    (void)ignoring_sigpipe;
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SetTimeout(timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return false;
    context_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(context_, SSL_VERIFY_NONE, nullptr);  // self-signed test certificate
    ssl_ = SSL_new(context_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
    ERR_clear_error();
    return SSL_connect(ssl_) == 1;
  }

  bool Send(std::string_view bytes) {
    SetTimeout(milliseconds(5000));
    while (!bytes.empty()) {
      ERR_clear_error();
      const int written = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
      if (written <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(written));
    }
    return true;
  }

  // True when the server closes the connection (EOF or reset) within
  // `timeout`; whatever it sends first is kept in received().
  bool ClosedWithin(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left <= milliseconds(0)) return false;
      pollfd wait{fd_, POLLIN, 0};
      if (::poll(&wait, 1, static_cast<int>(left.count())) <= 0) continue;
      SetTimeout(milliseconds(100));  // readable, but maybe only part of a record
      std::array<char, 16384> chunk;
      ERR_clear_error();
      const int got = SSL_read(ssl_, chunk.data(), static_cast<int>(chunk.size()));
      if (got > 0) {
        received_.append(chunk.data(), static_cast<size_t>(got));
        continue;
      }
      if (SSL_get_error(ssl_, got) == SSL_ERROR_WANT_READ) continue;  // a TLS 1.3 ticket, or a timeout
      return true;
    }
  }

  // Reads one answer (head and Content-Length body) within `timeout` and
  // returns its status, or 0.
  int ReadStatus(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      const size_t head_end = received_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const size_t length_at = received_.find("Content-Length: ");
        const size_t length = length_at < head_end ? std::stoul(received_.substr(length_at + 16)) : 0;
        if (received_.size() >= head_end + 4 + length) {
          const int status = received_.rfind("HTTP/1.1 ", 0) == 0 ? std::atoi(received_.c_str() + 9) : 0;
          received_.erase(0, head_end + 4 + length);
          return status;
        }
      }
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left <= milliseconds(0) || ClosedWithin(std::min(left, milliseconds(100)))) return 0;
    }
  }

  const std::string& received() const { return received_; }

 private:
  void SetTimeout(milliseconds timeout) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }

  int fd_ = -1;
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string received_;
};

// One trickling connection, from before its TCP connect to the server's
// close.
struct Trickle {
  explicit Trickle(std::string what) : what(std::move(what)) {}

  std::string what;
  std::optional<milliseconds> closed_after;  // none: still open when the client gave up
  size_t answer_bytes = 0;                   // anything sent back: there must be nothing
};

// Sends one byte per kDripInterval until the server closes the connection
// or `give_up` has passed since `began`, and records which.
void DripUntilClosed(TricklingClient* client, Clock::time_point began, milliseconds give_up, Trickle* trickle) {
  bool closed = false;
  for (size_t byte = 0; !closed && Since(began) < give_up; ++byte) {
    closed = client->ClosedWithin(kDripInterval) || !client->Send(std::string(1, static_cast<char>('a' + byte % 26)));
  }
  if (closed) trickle->closed_after = Since(began);
  trickle->answer_bytes = client->received().size();
}

// Connects, sends `start`, then trickles until the server closes the
// connection or `give_up` has passed.
Trickle TrickleUntilClosed(int port, std::string what, const std::string& start, milliseconds give_up) {
  Trickle trickle(std::move(what));
  const auto began = Clock::now();
  TricklingClient client;
  // A failed handshake is a close too: the server closes a connection that
  // waited in its queue past the deadline before it handshakes.
  if (!client.Connect(port, give_up) || !client.Send(start)) {
    trickle.closed_after = Since(began);
    return trickle;
  }
  DripUntilClosed(&client, began, give_up, &trickle);
  return trickle;
}

const std::string kHeadStart = "POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                               "X-Trickle: ";
const std::string kBodyStart = "POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                               "Content-Length: 100000\r\n\r\n{\"x\":\"";

void ExpectClosedAtTheDeadline(const Trickle& trickle, milliseconds deadline) {
  ASSERT_TRUE(trickle.closed_after.has_value())
      << trickle.what << ": still open " << (deadline + kCloseMargin).count() << " ms past its connect";
  std::cout << trickle.what << ": closed after " << trickle.closed_after->count() << " ms\n";
  EXPECT_GE(*trickle.closed_after, deadline - kCloseSlack) << trickle.what << ": closed before its deadline";
  EXPECT_LE(*trickle.closed_after, deadline + kCloseMargin) << trickle.what << ": closed long after its deadline";
  EXPECT_EQ(trickle.answer_bytes, 0u) << trickle.what << ": a connection cut at its deadline got an answer";
}

TEST_F(RequestDeadlineTest, MoreTricklersThanThreadsDelayAWellBehavedClientByOneDeadlineAtMost) {
  constexpr milliseconds kDeadline{2000};
  StartServer({"--threads", "2", "--request-timeout", "2s"});
  // Ten clients against two threads, each trickling its head or body, and
  // reconnecting once cut, so the queue is never free of them. Ten, so that
  // a deadline counted from when a thread takes the connection (rather than
  // from its accept) would make the last of them, and the client queued
  // behind, wait five deadlines.
  constexpr int kTricklers = 10;
  constexpr int kRounds = 2;
  // Past the well-behaved client's bound: without the deadline, the
  // tricklers hold both threads until it has given up.
  constexpr milliseconds kGiveUp = 2 * kDeadline + seconds(6);
  std::mutex mutex;
  std::vector<Trickle> trickles;
  std::vector<std::thread> tricklers;
  for (int i = 0; i < kTricklers; ++i) {
    tricklers.emplace_back([&, i] {
      for (int round = 0; round < kRounds; ++round) {
        const bool body = i % 2 == 1;
        Trickle trickle = TrickleUntilClosed(
            server_->port(), "trickler " + std::to_string(i) + (body ? " (body)" : " (head)") + ", round " +
                                 std::to_string(round),
            body ? kBodyStart : kHeadStart, kGiveUp);
        std::lock_guard lock(mutex);
        trickles.push_back(std::move(trickle));
      }
    });
  }
  std::this_thread::sleep_for(milliseconds(500));  // both threads taken, eight tricklers queued

  const milliseconds bound = 2 * kDeadline + seconds(3);
  const std::string uid = "behind-tricklers";
  const auto start = Clock::now();
  std::string error;
  const auto http = PostOnce(server_->port(), "/validate",
                             CreateReview(EndpointConfigWithoutKeys("x"), "team-a", uid), bound, &error);
  const milliseconds took = Since(start);
  std::cout << "the well-behaved client was answered after " << took.count() << " ms\n";
  for (auto& trickler : tricklers) trickler.join();

  EXPECT_EQ(trickles.size(), static_cast<size_t>(kTricklers * kRounds));
  for (const Trickle& trickle : trickles) ExpectClosedAtTheDeadline(trickle, kDeadline);
  ASSERT_TRUE(http.has_value()) << "no answer within " << bound.count() << " ms behind the tricklers: " << error;
  EXPECT_EQ(http->status, 200) << http->body;
  EXPECT_NE(http->body.find(uid), std::string::npos) << http->body;
  EXPECT_LE(took, bound);
  ExpectServed("after the tricklers");
}

TEST_F(RequestDeadlineTest, ClientsStalledInTheTlsHandshakeAreClosedAtTheDeadline) {
  constexpr milliseconds kDeadline{2000};
  StartServer({"--threads", "4", "--request-timeout", "2s"});
  // A TLS record header announcing a 512-byte ClientHello.
  const std::string hello_header("\x16\x03\x01\x02\x00", 5);
  struct Stall {
    std::string what;
    std::string start;
    bool drip;  // one more byte of the record per kDripInterval
  };
  const std::vector<Stall> stalls = {
      {"silent TCP client", "", false},
      {"partial ClientHello", hello_header + std::string("\x01\x00\x01\xfc\x03\x03", 6), false},
      {"ClientHello a byte at a time", hello_header, true},
  };
  std::mutex mutex;
  std::vector<Trickle> trickles;
  std::vector<std::thread> clients;
  for (const Stall& stall : stalls) {
    clients.emplace_back([&, stall] {
      Trickle trickle(stall.what);
      const auto began = Clock::now();
      std::string error;
      auto connection = TcpConnection::Open(server_->port(), &error);
      bool closed = connection == nullptr || !connection->Write(stall.start);
      while (!closed && Since(began) < kDeadline + kCloseMargin) {
        closed = connection->WaitForClose(kDripInterval) || (stall.drip && !connection->Write(std::string(1, '\0')));
      }
      if (closed) trickle.closed_after = Since(began);
      std::lock_guard lock(mutex);
      trickles.push_back(std::move(trickle));
    });
  }
  for (auto& client : clients) client.join();
  for (const Trickle& trickle : trickles) ExpectClosedAtTheDeadline(trickle, kDeadline);
  ExpectServed("after the stalled handshakes");
}

TEST_F(RequestDeadlineTest, AKeepAliveRequestsDeadlineRunsFromItsFirstByte) {
  constexpr milliseconds kDeadline{2000};
  StartServer({"--request-timeout", "2s"});
  TricklingClient client;
  ASSERT_TRUE(client.Connect(server_->port(), kAnswerBound));
  ASSERT_TRUE(client.Send(PostRequest("/validate", CreateReview(EndpointConfigWithoutKeys("x"), "team-a", "first"))));
  ASSERT_EQ(client.ReadStatus(kAnswerBound), 200);
  // Idle for most of a deadline: the wait between requests is the
  // keep-alive timeout's (90 s), and does not count against the next one.
  std::this_thread::sleep_for(kDeadline * 3 / 4);
  Trickle trickle("second request on a keep-alive connection, trickled");
  const auto first_byte = Clock::now();
  ASSERT_TRUE(client.Send(kHeadStart));
  DripUntilClosed(&client, first_byte, kDeadline + kCloseMargin, &trickle);
  ExpectClosedAtTheDeadline(trickle, kDeadline);
}

TEST_F(RequestDeadlineTest, AnInterim100ContinueDoesNotEndTheDeadline) {
  constexpr milliseconds kDeadline{2000};
  StartServer({"--request-timeout", "2s"});
  Trickle trickle("body trickled after 100 Continue");
  const auto began = Clock::now();
  TricklingClient client;
  ASSERT_TRUE(client.Connect(server_->port(), kAnswerBound));
  ASSERT_TRUE(client.Send("POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          "Expect: 100-continue\r\nContent-Length: 100000\r\n\r\n"));
  // The server asks for the body before reading it: its first write, yet
  // the request has not been received.
  ASSERT_EQ(client.ReadStatus(kAnswerBound), 100);
  DripUntilClosed(&client, began, kDeadline + kCloseMargin, &trickle);
  ExpectClosedAtTheDeadline(trickle, kDeadline);
}

TEST_F(RequestDeadlineTest, SlowRequestsThatFinishInTimeAreAnswered) {
  constexpr milliseconds kDeadline{3000};
  StartServer({"--request-timeout", "3s"});
  std::string error;
  auto connection = TlsConnection::Open(server_->port(), &error);
  ASSERT_NE(connection, nullptr) << error;
  // Each request takes 40% of the deadline to send, in 8 pieces; the second
  // follows a pause longer than the deadline on the same connection.
  for (const char* uid : {"slow-first", "slow-after-idle"}) {
    if (uid != std::string_view("slow-first")) std::this_thread::sleep_for(kDeadline + milliseconds(1000));
    const std::string request =
        PostRequest("/validate", CreateReview(EndpointConfigWithoutKeys("x"), "team-a", uid));
    const auto start = Clock::now();
    constexpr size_t kPieces = 8;
    for (size_t piece = 0; piece < kPieces; ++piece) {
      const size_t from = request.size() * piece / kPieces;
      const size_t to = request.size() * (piece + 1) / kPieces;
      ASSERT_TRUE(connection->Write(request.substr(from, to - from))) << uid << ": " << connection->last_error();
      if (piece + 1 < kPieces) std::this_thread::sleep_for(kDeadline * 2 / 5 / (kPieces - 1));
    }
    const auto http = connection->ReadResponse(kAnswerBound);
    ASSERT_TRUE(http.has_value()) << uid << ": no answer: " << connection->last_error();
    EXPECT_EQ(http->status, 200) << uid << ": " << http->body;
    EXPECT_NE(http->body.find(uid), std::string::npos) << http->body;
    std::cout << uid << ": sent and answered in " << Since(start).count() << " ms\n";
  }
}

TEST_F(RequestDeadlineTest, StoppingWithTricklersConnectedTakesAboutOneDeadline) {
  constexpr milliseconds kDeadline{3000};
  StartServer({"--threads", "2", "--request-timeout", "3s"});
  // Twice as many tricklers as threads: two being served, two queued.
  const milliseconds give_up = kDeadline + seconds(12);
  std::vector<std::thread> tricklers;
  for (int i = 0; i < 4; ++i) {
    tricklers.emplace_back([this, i, give_up] {
      TrickleUntilClosed(server_->port(), "trickler " + std::to_string(i), kHeadStart, give_up);
    });
  }
  std::this_thread::sleep_for(milliseconds(500));
  const auto start = Clock::now();
  const int status = server_->Stop(seconds(30));
  const milliseconds took = Since(start);
  std::cout << "stopped after " << took.count() << " ms\n";
  for (auto& trickler : tricklers) trickler.join();
  EXPECT_EQ(status, 0) << server_->Log();
  // Requests in flight may finish, so stopping waits for the tricklers'
  // deadlines, and no longer.
  EXPECT_LE(took, kDeadline + kCloseMargin);
}

// Runs `keyward serve` with `flags` (on files that do not exist: flags are
// checked first) and returns its exit status and output.
std::pair<int, std::string> RunServe(const std::string& flags) {
  const std::string command = std::string(KEYWARD_BINARY) +
                              " serve --policy /nonexistent/policy.yaml --tls-cert /nonexistent/tls.crt"
                              " --tls-key /nonexistent/tls.key --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 " +
                              flags + " 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "cannot run " + command};
  std::array<char, 4096> chunk;
  while (size_t got = std::fread(chunk.data(), 1, chunk.size(), pipe)) output.append(chunk.data(), got);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST_F(RequestDeadlineTest, RequestTimeoutFlagMustBeAPositiveDuration) {
  const auto [zero_status, zero_output] = RunServe("--request-timeout 0s");
  EXPECT_EQ(zero_status, 2) << zero_output;
  EXPECT_NE(zero_output.find("--request-timeout must be positive"), std::string::npos) << zero_output;
  const auto [malformed_status, malformed_output] = RunServe("--request-timeout soon");
  EXPECT_EQ(malformed_status, 2) << malformed_output;
  EXPECT_NE(malformed_output.find("--request-timeout: duration \"soon\""), std::string::npos) << malformed_output;
  const auto [help_status, help] = RunServe("--help");
  EXPECT_EQ(help_status, 0) << help;
  const size_t flag = help.find("--request-timeout");
  ASSERT_NE(flag, std::string::npos) << help;
  const std::string entry = help.substr(flag, help.find("\n  --", flag + 1) - flag);
  EXPECT_NE(entry.find("TEXT=10s"), std::string::npos) << entry;
  EXPECT_NE(entry.find("handshake"), std::string::npos) << entry;
}

}  // namespace
}  // namespace keyward::hardening
