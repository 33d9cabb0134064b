// The connection loop's threads share every connection: a thread held up
// (here, by an answer that waits) holds up no connection but the one it is
// serving, and the others are answered by the rest.
#include "webhook/server/connection_loop.h"

#include <future>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/certificates.h"
#include "tests/support/files.h"
#include "tests/support/tls_client.h"
#include "webhook/server/acceptor.h"
#include "webhook/server/listen_address.h"
#include "webhook/server/tls_context.h"

namespace keyward::testing {
namespace {

constexpr char kHeldRequest[] =
    "POST /held HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";

// A loop of `threads` threads behind an acceptor on 127.0.0.1, answering
// "/held" only once Release() is called, and anything else at once.
class LoopUnderTest {
 public:
  explicit LoopUnderTest(size_t threads)
      : credentials_(dir_.File("tls.crt"), dir_.File("tls.key"), &metrics_),
        context_(SSL_CTX_new(TLS_server_method()), SSL_CTX_free) {
    authority_.Issue(dir_.File("tls.crt"), dir_.File("tls.key"), "keyward");
    EXPECT_TRUE(credentials_.LoadInitial().ok());
    EXPECT_TRUE(ConfigureServerTls(context_.get(), &credentials_));
    Result<ListeningSocket> listening = Listen(ListenAddress{"127.0.0.1", 0});
    EXPECT_TRUE(listening.ok()) << listening.status().ToString();
    port_ = listening.value().port;
    loop_ = std::make_unique<ConnectionLoop>(
        context_.get(), [this](const HttpRequest& request) { return Respond(request); }, &draining_,
        ConnectionLimits{}, threads);
    acceptor_ = std::make_unique<Acceptor>(listening.value().fd,
                                           [this](int sock, LoopClock::time_point at) { loop_->Adopt(sock, at); });
    accepting_ = std::thread([this] { acceptor_->Run(); });
  }
  ~LoopUnderTest() {
    Release();
    acceptor_->Stop();
    accepting_.join();
    loop_->Stop();
    loop_->Join();
  }

  int port() const { return port_; }
  // Waits until a "/held" request is being answered.
  bool WaitUntilHeld() { return held_.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready; }
  void Release() {
    if (!released_) {
      released_ = true;
      release_.set_value();
    }
  }

 private:
  HttpAnswer Respond(const HttpRequest& request) {
    if (request.path == "/held") {
      held_.set_value();
      release_future_.wait();
      return HttpAnswer{200, "held", "text/plain", "", false};
    }
    return HttpAnswer{200, "at once", "text/plain", "", false};
  }

  TempDir dir_;
  TestCertificateAuthority authority_;
  ServerMetrics metrics_;
  CredentialStore credentials_;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context_;
  std::atomic<bool> draining_{false};
  std::promise<void> held_;
  std::promise<void> release_;
  std::shared_future<void> release_future_ = release_.get_future().share();
  bool released_ = false;
  int port_ = 0;
  std::unique_ptr<ConnectionLoop> loop_;
  std::unique_ptr<Acceptor> acceptor_;
  std::thread accepting_;
};

TEST(ConnectionLoopTest, AThreadHeldUpHoldsUpOnlyTheConnectionItServes) {
  LoopUnderTest loop(2);
  std::string error;
  std::unique_ptr<TlsConnection> held = TlsConnection::Open(loop.port(), &error);
  ASSERT_TRUE(held) << error;
  ASSERT_TRUE(held->Write(kHeldRequest));
  ASSERT_TRUE(loop.WaitUntilHeld());
  // One thread of two is held: every other connection, new or kept alive,
  // is answered by the other. (Were connections shared out among the
  // threads, about half of these would wait for the held one.)
  std::unique_ptr<TlsConnection> kept = TlsConnection::Open(loop.port(), &error);
  ASSERT_TRUE(kept) << error;
  for (int i = 0; i < 8; ++i) {
    std::unique_ptr<TlsConnection> fresh = TlsConnection::Open(loop.port(), TlsOptions{}, milliseconds(5'000), &error);
    ASSERT_TRUE(fresh) << "connection " << i << ": " << error;
    std::optional<HttpResponse> answer = fresh->Post("/other", "{}", milliseconds(5'000));
    ASSERT_TRUE(answer) << "connection " << i << ": " << fresh->last_error();
    EXPECT_EQ(answer->body, "at once");
    answer = kept->Post("/other", "{}", milliseconds(5'000));
    ASSERT_TRUE(answer) << "kept-alive request " << i << ": " << kept->last_error();
    EXPECT_EQ(answer->body, "at once");
  }
  loop.Release();
  std::optional<HttpResponse> answer = held->ReadResponse();
  ASSERT_TRUE(answer) << held->last_error();
  EXPECT_EQ(answer->body, "held");
}

}  // namespace
}  // namespace keyward::testing
