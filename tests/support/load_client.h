// A client that keeps sending admission requests, the way the kube-apiserver
// does (one keep-alive connection, a new one only when the server closes
// it), and checks every single answer.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/reviews.h"

namespace keyward::testing {

class LoadClient {
 public:
  // Returns "" when an answer is right, else what is wrong with it.
  using Check = std::function<std::string(const AdmissionAnswer&)>;

  struct Options {
    std::string path = "/mutate";
    std::string ns = "team-a";
    bool new_connection_per_request = false;
    Check check;  // besides ReadAdmissionAnswer's own checks; may be empty
  };
  static Options Reconnecting() {
    Options options;
    options.new_connection_per_request = true;
    return options;
  }
  static Options Checking(Check check) {
    Options options;
    options.check = std::move(check);
    return options;
  }

  // Starts sending to 127.0.0.1:port at once.
  LoadClient(int port, Options options);
  explicit LoadClient(int port);
  ~LoadClient();  // stops

  void Stop();

  // A request failed when it was sent (wholly or in part) and did not get a
  // right answer. Connecting or handshaking without sending is not a request.
  long succeeded() const { return succeeded_; }
  long failed() const { return failed_; }
  long connections() const { return connections_; }
  long refused_connections() const { return refused_; }
  std::vector<std::string> failures() const;    // the first few, with reasons
  std::vector<std::string> peer_names() const;  // certificate CN per connection, in order

 private:
  void Run();
  void Fail(std::string why);

  const int port_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  const Options options_;
  std::atomic<bool> stopping_{false};
  std::atomic<long> succeeded_{0};
  std::atomic<long> failed_{0};
  std::atomic<long> connections_{0};
  std::atomic<long> refused_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> failures_;
  std::vector<std::string> peer_names_;
  std::thread thread_;
};

}  // namespace keyward::testing
