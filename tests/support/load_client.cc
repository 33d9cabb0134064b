#include "tests/support/load_client.h"

namespace keyward::testing {

LoadClient::LoadClient(int port, Options options)
    : port_(port), options_(std::move(options)), thread_([this] { Run(); }) {}

LoadClient::LoadClient(int port) : LoadClient(port, Options()) {}

LoadClient::~LoadClient() { Stop(); }

void LoadClient::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

std::vector<std::string> LoadClient::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

std::vector<std::string> LoadClient::peer_names() const {
  std::lock_guard lock(mutex_);
  return peer_names_;
}

void LoadClient::Fail(std::string why) {
  const auto at = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
  why += " (" + std::to_string(at.count()) + " ms after the client started)";
  ++failed_;
  std::lock_guard lock(mutex_);
  if (failures_.size() < 10) failures_.push_back(std::move(why));
}

void LoadClient::Run() {
  const nlohmann::json object = EndpointConfigWithoutKeys("load");
  std::unique_ptr<TlsConnection> connection;
  for (long n = 0; !stopping_; ++n) {
    if (connection == nullptr) {
      std::string error;
      connection = TlsConnection::Open(port_, TlsOptions{}, milliseconds(10'000), &error);
      if (connection == nullptr) {
        ++refused_;
        std::this_thread::sleep_for(milliseconds(10));
        continue;
      }
      ++connections_;
      std::lock_guard lock(mutex_);
      peer_names_.push_back(connection->PeerCommonName());
    }
    const std::string uid = "load-" + std::to_string(n);
    nlohmann::json sent = object;
    sent["metadata"]["namespace"] = options_.ns;
    if (!connection->Write(PostRequest(options_.path, CreateReview(object, options_.ns, uid)))) {
      Fail(uid + ": " + connection->last_error());
      connection.reset();
      continue;
    }
    const std::optional<HttpResponse> http = connection->ReadResponse(milliseconds(10'000));
    if (!http) {
      Fail(uid + ": " + connection->last_error());
      connection.reset();
      continue;
    }
    const AdmissionAnswer answer = ReadAdmissionAnswer(*http, uid, sent);
    std::string problem = answer.error;
    if (problem.empty() && options_.check) problem = options_.check(answer);
    if (problem.empty()) {
      ++succeeded_;
    } else {
      Fail(uid + ": " + problem);
    }
    if (http->WantsClose() || options_.new_connection_per_request) connection.reset();
  }
}

}  // namespace keyward::testing
