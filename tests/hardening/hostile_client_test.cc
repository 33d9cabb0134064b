// Clients that attack or misbehave, against the real binary on 127.0.0.1:
// none of them may stop the server from answering everyone else.
#include <atomic>
#include <thread>

#include "tests/support/load_client.h"
#include "tests/support/server_fixture.h"

namespace keyward::testing {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

class HostileClientTest : public ServerTest {};

std::string AnyRequest(const std::string& uid) {
  return PostRequest("/mutate", CreateReview(EndpointConfigWithoutKeys("x"), "team-a", uid));
}

TEST_F(HostileClientTest, SlowlorisClientsDoNotStopOthersFromBeingServed) {
  // Connections read at once: enough for the slow clients plus a few. With
  // --threads at or below the number of slow clients, this test fails: each
  // slow client holds its slot for as long as it keeps trickling, and the
  // others wait unread.
  constexpr int kSlowClients = 24;
  StartServer({"--threads", "32"});
  std::vector<std::unique_ptr<TlsConnection>> slow;
  for (int i = 0; i < kSlowClients; ++i) {
    std::string error;
    slow.push_back(TlsConnection::Open(server_->admission_port(), &error));
    ASSERT_NE(slow.back(), nullptr) << error;
  }
  // One byte a second on each, for six seconds: never idle long enough for
  // the read timeout, never a whole request.
  const std::string request = AnyRequest("slow");
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    for (size_t byte = 0; byte < 6 && !done; ++byte) {
      for (auto& connection : slow) connection->Write(request.substr(byte, 1));
      std::this_thread::sleep_for(seconds(1));
    }
  });
  std::this_thread::sleep_for(milliseconds(1500));
  for (int i = 0; i < 5; ++i) {
    ExpectServed("while " + std::to_string(kSlowClients) + " slowloris clients trickle, request " + std::to_string(i));
    std::this_thread::sleep_for(milliseconds(500));
  }
  done = true;
  trickle.join();
}

TEST_F(HostileClientTest, HundredsOfIdleConnectionsDoNotExhaustTheServer) {
  StartServer();
  const long rss_before = server_->RssKiB();
  std::vector<std::unique_ptr<TlsConnection>> idle_tls;
  std::vector<std::unique_ptr<TcpConnection>> idle_tcp;
  for (int i = 0; i < 250; ++i) {
    std::string error;
    idle_tls.push_back(TlsConnection::Open(server_->admission_port(), &error));
    ASSERT_NE(idle_tls.back(), nullptr) << "connection " << i << ": " << error;
    if (i == 0) {
      // A keep-alive connection as the apiserver leaves it: used, then idle.
      // (The others never send a request: the request deadline closes them.)
      ASSERT_TRUE(idle_tls.back()->Write(AnyRequest("before-idle")));
      const auto first = idle_tls.back()->ReadResponse(kAnswerBound);
      ASSERT_TRUE(first.has_value()) << idle_tls.back()->last_error();
      ASSERT_EQ(first->status, 200);
    }
  }
  // TCP connections that never start the handshake hold a connection slot
  // until their deadline.
  for (int i = 0; i < 50; ++i) {
    std::string error;
    idle_tcp.push_back(TcpConnection::Open(server_->admission_port(), &error));
    ASSERT_NE(idle_tcp.back(), nullptr) << error;
  }
  ExpectServed("with 300 idle connections open");
  // An idle keep-alive connection still works when it speaks again.
  ASSERT_TRUE(idle_tls.front()->Write(AnyRequest("after-idle")));
  const auto http = idle_tls.front()->ReadResponse(kAnswerBound);
  ASSERT_TRUE(http.has_value()) << idle_tls.front()->last_error();
  EXPECT_EQ(http->status, 200);
  const long rss_during = server_->RssKiB();
  RecordProperty("rss_kib_idle_300", std::to_string(rss_during));
  std::cout << "server RSS: " << rss_before << " KiB before, " << rss_during << " KiB with 300 idle connections, "
            << server_->Threads() << " threads\n";
}

TEST_F(HostileClientTest, ClientsThatVanishMidBodyOrMidResponseHurtNobody) {
  StartServer();
  LoadClient bystander(server_->admission_port());
  const std::string whole = AnyRequest("vanishing");
  const std::string many_pipelined = [&] {
    std::string requests;
    for (int i = 0; i < 50; ++i) requests += AnyRequest("pipelined-" + std::to_string(i));
    return requests;
  }();
  for (int round = 0; round < 10; ++round) {
    std::string error;
    // Mid-body: headers promise more than is ever sent; reset or FIN.
    auto reset_mid_body = TlsConnection::Open(server_->admission_port(), &error);
    ASSERT_NE(reset_mid_body, nullptr) << error;
    reset_mid_body->Write(whole.substr(0, whole.size() - 100));
    reset_mid_body->Reset();
    auto close_mid_body = TlsConnection::Open(server_->admission_port(), &error);
    ASSERT_NE(close_mid_body, nullptr) << error;
    close_mid_body->Write(whole.substr(0, whole.find("\r\n\r\n") + 10));
    close_mid_body.reset();
    // Mid-response: fifty requests in one go, then a reset while the
    // server is still writing answers (SIGPIPE/EPIPE on its side).
    auto reset_mid_response = TlsConnection::Open(server_->admission_port(), &error);
    ASSERT_NE(reset_mid_response, nullptr) << error;
    reset_mid_response->Write(many_pipelined);
    reset_mid_response->Reset();
    // Mid-handshake: a reset after the TCP connection.
    auto tcp = TcpConnection::Open(server_->admission_port(), &error);
    ASSERT_NE(tcp, nullptr) << error;
    tcp->Write(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
  }
  std::this_thread::sleep_for(milliseconds(500));
  bystander.Stop();
  EXPECT_EQ(bystander.failed(), 0) << ::testing::PrintToString(bystander.failures());
  EXPECT_GT(bystander.succeeded(), 0);
  ExpectServed("after 40 vanishing clients");
}

struct StreamResult {
  size_t sent = 0;          // bytes the server took before it stopped reading
  long rss_growth_kib = 0;  // the server's peak RSS meanwhile, over its RSS before
};

// Sends `head`, then spaces up to `size` bytes, for at most 20 s, sampling
// the server's RSS after every 256 KiB.
StreamResult StreamUntilRefused(const KeywardProcess& server, const std::string& head, size_t size) {
  StreamResult result;
  std::string error;
  auto connection = TlsConnection::Open(server.admission_port(), &error);
  EXPECT_NE(connection, nullptr) << error;
  if (connection == nullptr || !connection->Write(head)) return result;
  const long rss_before = server.RssKiB();
  long rss_peak = rss_before;
  const std::string chunk(256u << 10, ' ');
  const auto deadline = Clock::now() + seconds(20);
  while (result.sent < size && Clock::now() < deadline && connection->Write(chunk, milliseconds(2000))) {
    result.sent += chunk.size();
    rss_peak = std::max(rss_peak, server.RssKiB());
  }
  result.rss_growth_kib = std::max(rss_peak, server.RssKiB()) - rss_before;
  std::cout << "the server took " << (result.sent >> 10) << " KiB before it stopped reading; its RSS grew by "
            << result.rss_growth_kib << " KiB\n";
  return result;
}

TEST_F(HostileClientTest, HundredMebibyteBodyIsRefusedWithoutBeingRead) {
  StartServer();
  ExpectServed("warm-up");
  constexpr size_t kBody = 100u << 20;
  const std::string headers = "POST /mutate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                              "Content-Length: " + std::to_string(kBody) + "\r\n\r\n";
  std::string error;
  // A client that waits before sending the body gets 413 at once.
  {
    auto connection = TlsConnection::Open(server_->admission_port(), &error);
    ASSERT_NE(connection, nullptr) << error;
    ASSERT_TRUE(connection->Write(headers));
    const auto http = connection->ReadResponse(kAnswerBound);
    ASSERT_TRUE(http.has_value()) << "no answer before the body: " << connection->last_error();
    EXPECT_EQ(http->status, 413);
    EXPECT_TRUE(http->WantsClose());
  }
  // A client that streams the body regardless is cut off long before
  // 100 MiB, and the server's memory does not grow with what it sent.
  const StreamResult streamed = StreamUntilRefused(*server_, headers, kBody);
  EXPECT_LT(streamed.sent, kBody / 4) << "the server kept reading a body it had refused";
  EXPECT_LT(streamed.rss_growth_kib, 32 * 1024) << "server memory grew with the refused body";
  ExpectServed("after the 100 MiB body");
}

// cpp-httplib reads a request line or header line to its end before it
// checks the length; one line must not be able to grow the server's memory.
void ExpectEndlessLineNotBuffered(const KeywardProcess& server, const std::string& head) {
  const StreamResult streamed = StreamUntilRefused(server, head, 100u << 20);
  EXPECT_LT(streamed.rss_growth_kib, 32 * 1024) << "server memory grew with a line without end after: " << head;
}

TEST_F(HostileClientTest, EndlessRequestLineIsNotBuffered) {
  StartServer();
  ExpectServed("warm-up");
  ExpectEndlessLineNotBuffered(*server_, "POST /mutate");
  ExpectServed("after the endless request line");
}

TEST_F(HostileClientTest, EndlessHeaderLineIsNotBuffered) {
  StartServer();
  ExpectServed("warm-up");
  ExpectEndlessLineNotBuffered(*server_, "POST /mutate HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ");
  ExpectServed("after the endless header line");
}

TEST_F(HostileClientTest, DeeplyNestedBodiesGet400NotACrash) {
  StartServer();
  const std::string object_prefix = R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"deep","object":)";
  const std::vector<std::pair<std::string, std::string>> bodies = {
      {"3 MiB of [", std::string(3u << 20, '[')},
      {"3 MiB of {\"a\":", [] {
         std::string body;
         while (body.size() < (3u << 20)) body += "{\"a\":";
         return body;
       }()},
      {"a review whose object nests 200 deep", object_prefix + std::string(200, '[') + std::string(200, ']') + "}}"},
      {"balanced 100k-deep arrays", std::string(100'000, '[') + std::string(100'000, ']')},
  };
  for (const auto& [what, body] : bodies) {
    std::string error;
    const auto http = PostOnce(server_->admission_port(), "/validate", body, seconds(20), &error);
    ASSERT_TRUE(http.has_value()) << what << ": " << error;
    EXPECT_EQ(http->status, 400) << what << ": " << http->body;
    const auto status = nlohmann::json::parse(http->body, nullptr, false);
    EXPECT_TRUE(status.is_object() && status.value("message", "").find("nesting") != std::string::npos)
        << what << ": " << http->body;
  }
  ExpectServed("after the nested bodies");
}

}  // namespace
}  // namespace keyward::testing
