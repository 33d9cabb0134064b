// The whole-request deadline (`--request-timeout`), against the real binary
// on 127.0.0.1: clients that trickle a request (its TLS handshake, head or
// body) a byte at a time never trip the per-read timeout, yet each is cut at
// its deadline, so even more of them than threads cannot keep a
// well-behaved client waiting for more than about one deadline.
//
// Margins are wide: the suite also runs under AddressSanitizer and
// ThreadSanitizer on a busy 2-core machine.
#include <iostream>
#include <mutex>
#include <thread>

#include "tests/support/server_fixture.h"

namespace keyward::testing {
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
// How long one write may take.
constexpr milliseconds kSendBound{5000};

milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

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
void DripUntilClosed(TlsConnection* client, Clock::time_point began, milliseconds give_up, Trickle* trickle) {
  bool closed = false;
  for (size_t byte = 0; !closed && Since(began) < give_up; ++byte) {
    closed = client->WaitForClose(kDripInterval) ||
             !client->Write(std::string(1, static_cast<char>('a' + byte % 26)), kSendBound);
  }
  if (closed) trickle->closed_after = Since(began);
  trickle->answer_bytes = client->unread().size();
}

// Connects, sends `start`, then trickles until the server closes the
// connection or `give_up` has passed.
Trickle TrickleUntilClosed(int port, std::string what, const std::string& start, milliseconds give_up) {
  Trickle trickle(std::move(what));
  const auto began = Clock::now();
  // A failed handshake is a close too: the server closes a connection that
  // waited in its queue past the deadline before it handshakes.
  std::string error;
  auto client = TlsConnection::Open(port, TlsOptions{}, give_up, &error);
  if (client == nullptr || !client->Write(start, kSendBound)) {
    trickle.closed_after = Since(began);
    return trickle;
  }
  DripUntilClosed(client.get(), began, give_up, &trickle);
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
            server_->admission_port(), "trickler " + std::to_string(i) + (body ? " (body)" : " (head)") + ", round " +
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
  const auto http = PostOnce(server_->admission_port(), "/validate",
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
      auto connection = TcpConnection::Open(server_->admission_port(), &error);
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
  std::string error;
  auto client = TlsConnection::Open(server_->admission_port(), TlsOptions{}, kAnswerBound, &error);
  ASSERT_NE(client, nullptr) << error;
  ASSERT_TRUE(client->Write(PostRequest("/validate", CreateReview(EndpointConfigWithoutKeys("x"), "team-a", "first")),
                            kSendBound));
  const std::optional<HttpResponse> first = client->ReadResponse(kAnswerBound);
  ASSERT_TRUE(first.has_value()) << client->last_error();
  ASSERT_EQ(first->status, 200);
  // Idle for most of a deadline: the wait between requests is the
  // keep-alive timeout's (90 s), and does not count against the next one.
  std::this_thread::sleep_for(kDeadline * 3 / 4);
  Trickle trickle("second request on a keep-alive connection, trickled");
  const auto first_byte = Clock::now();
  ASSERT_TRUE(client->Write(kHeadStart, kSendBound));
  DripUntilClosed(client.get(), first_byte, kDeadline + kCloseMargin, &trickle);
  ExpectClosedAtTheDeadline(trickle, kDeadline);
}

TEST_F(RequestDeadlineTest, AnInterim100ContinueDoesNotEndTheDeadline) {
  constexpr milliseconds kDeadline{2000};
  StartServer({"--request-timeout", "2s"});
  Trickle trickle("body trickled after 100 Continue");
  const auto began = Clock::now();
  std::string error;
  auto client = TlsConnection::Open(server_->admission_port(), TlsOptions{}, kAnswerBound, &error);
  ASSERT_NE(client, nullptr) << error;
  ASSERT_TRUE(client->Write("POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            "Expect: 100-continue\r\nContent-Length: 100000\r\n\r\n",
                            kSendBound));
  // The server asks for the body before reading it: its first write, yet
  // the request has not been received.
  const std::optional<HttpResponse> interim = client->ReadResponse(kAnswerBound);
  ASSERT_TRUE(interim.has_value()) << client->last_error();
  ASSERT_EQ(interim->status, 100);
  DripUntilClosed(client.get(), began, kDeadline + kCloseMargin, &trickle);
  ExpectClosedAtTheDeadline(trickle, kDeadline);
}

TEST_F(RequestDeadlineTest, SlowRequestsThatFinishInTimeAreAnswered) {
  constexpr milliseconds kDeadline{3000};
  StartServer({"--request-timeout", "3s"});
  std::string error;
  auto connection = TlsConnection::Open(server_->admission_port(), &error);
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
      TrickleUntilClosed(server_->admission_port(), "trickler " + std::to_string(i), kHeadStart, give_up);
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
// checked first), its output into `scratch`; its exit status and output.
std::pair<int, std::string> RunServe(const std::string& scratch, const std::vector<std::string>& flags) {
  std::vector<std::string> args = {"serve", "--policy", "/nonexistent/policy.yaml", "--tls-cert",
                                   "/nonexistent/tls.crt", "--tls-key", "/nonexistent/tls.key",
                                   "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"};
  args.insert(args.end(), flags.begin(), flags.end());
  const RunResult result = RunKeyward(args, scratch);
  return {result.finished ? result.exit_status : -1, result.output};
}

TEST_F(RequestDeadlineTest, RequestTimeoutFlagMustBeAPositiveDuration) {
  const auto [zero_status, zero_output] = RunServe(Path("zero.log"), {"--request-timeout", "0s"});
  EXPECT_EQ(zero_status, 2) << zero_output;
  EXPECT_NE(zero_output.find("--request-timeout must be positive"), std::string::npos) << zero_output;
  const auto [malformed_status, malformed_output] = RunServe(Path("soon.log"), {"--request-timeout", "soon"});
  EXPECT_EQ(malformed_status, 2) << malformed_output;
  EXPECT_NE(malformed_output.find("--request-timeout: duration \"soon\""), std::string::npos) << malformed_output;
  const auto [help_status, help] = RunServe(Path("help.log"), {"--help"});
  EXPECT_EQ(help_status, 0) << help;
  const size_t flag = help.find("--request-timeout");
  ASSERT_NE(flag, std::string::npos) << help;
  const std::string entry = help.substr(flag, help.find("\n  --", flag + 1) - flag);
  EXPECT_NE(entry.find("TEXT=10s"), std::string::npos) << entry;
  EXPECT_NE(entry.find("handshake"), std::string::npos) << entry;
}

}  // namespace
}  // namespace keyward::testing
