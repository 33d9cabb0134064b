// An open-loop load generator: sends requests on a fixed schedule (N per
// second, spread over a few keep-alive TLS connections) and measures each
// latency from the moment the request was due, not from when it was sent,
// so a stalled server is charged for the requests that queued behind the
// stall (what wrk2 calls correcting for coordinated omission).
//
//   keyward_openloop --url https://127.0.0.1:8443/mutate --ca ca.crt
//                    --body review.json --rate 1000 --seconds 10 --connections 4
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 8443;
  std::string path = "/mutate";
  std::string ca;
  std::string body;
  double rate = 1000;
  double seconds = 10;
  int connections = 4;
  int idle = 0;  // extra keep-alive connections that sit idle during the run
};

bool Parse(int argc, char** argv, Options* options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--url") {
      // https://host:port/path
      const std::string rest = value.substr(value.find("://") + 3);
      const std::string authority = rest.substr(0, rest.find('/'));
      options->path = rest.substr(authority.size());
      options->host = authority.substr(0, authority.rfind(':'));
      options->port = std::stoi(authority.substr(authority.rfind(':') + 1));
    } else if (flag == "--ca") {
      options->ca = value;
    } else if (flag == "--body") {
      std::ifstream in(value);
      std::stringstream text;
      text << in.rdbuf();
      options->body = text.str();
    } else if (flag == "--rate") {
      options->rate = std::stod(value);
    } else if (flag == "--seconds") {
      options->seconds = std::stod(value);
    } else if (flag == "--connections") {
      options->connections = std::stoi(value);
    } else if (flag == "--idle") {
      options->idle = std::stoi(value);
    } else {
      return false;
    }
  }
  return !options->ca.empty() && !options->body.empty() && options->rate > 0 && options->connections > 0;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!Parse(argc, argv, &options)) {
    std::cerr << "usage: keyward_openloop --url https://HOST:PORT/PATH --ca CA.pem --body FILE "
                 "[--rate PER_SECOND] [--seconds S] [--connections N] [--idle N]\n";
    return 2;
  }
  auto connect = [&options] {
    auto client = std::make_unique<httplib::SSLClient>(options.host, options.port);
    client->set_ca_cert_path(options.ca.c_str());
    client->enable_server_certificate_verification(true);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);
    return client;
  };
  // Idle connections each send one request, then hold their connection
  // (and, in cpp-httplib, a server thread) for the whole run.
  std::vector<std::unique_ptr<httplib::SSLClient>> idle;
  for (int i = 0; i < options.idle; ++i) {
    idle.push_back(connect());
    auto result = idle.back()->Post(options.path.c_str(), options.body, "application/json");
    if (!result || result->status != 200) {
      std::cerr << "idle connection " << i << " failed\n";
      return 1;
    }
  }

  const auto total = static_cast<size_t>(options.rate * options.seconds);
  const auto interval = std::chrono::duration<double>(1.0 / options.rate);
  std::vector<std::vector<double>> latencies(static_cast<size_t>(options.connections));
  std::atomic<size_t> errors{0};
  const Clock::time_point start = Clock::now() + std::chrono::milliseconds(200);

  std::vector<std::thread> threads;
  for (int c = 0; c < options.connections; ++c) {
    threads.emplace_back([&, c] {
      auto client = connect();
      auto& mine = latencies[static_cast<size_t>(c)];
      mine.reserve(total / static_cast<size_t>(options.connections) + 1);
      for (size_t i = static_cast<size_t>(c); i < total; i += static_cast<size_t>(options.connections)) {
        const auto due = start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(i));
        std::this_thread::sleep_until(due);
        auto result = client->Post(options.path.c_str(), options.body, "application/json");
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
        if (!result || result->status != 200) {
          ++errors;
        } else {
          mine.push_back(ms);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<double> all;
  for (const auto& part : latencies) all.insert(all.end(), part.begin(), part.end());
  std::sort(all.begin(), all.end());
  std::printf("requests %zu  errors %zu  achieved %.0f req/s\n", all.size(), errors.load(),
              static_cast<double>(all.size()) / elapsed);
  std::printf("latency ms  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n", Percentile(all, 0.50),
              Percentile(all, 0.90), Percentile(all, 0.99), Percentile(all, 0.999), all.empty() ? 0 : all.back());
  return errors.load() == 0 ? 0 : 1;
}
