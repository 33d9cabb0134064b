// The per-request cost of the admission handler alone (no sockets, no TLS):
// parse, decode, decide, encode, count, log. Run with the 1-tenant and the
// 10,000-tenant policy to see that the cost does not grow with tenants.
//
//   keyward_handler_bench POLICY REVIEW.json mutate|validate [ITERATIONS]
#include <time.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "webhook/server/admission_handler.h"
#include "webhook/observe/log.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: keyward_handler_bench POLICY REVIEW.json mutate|validate [ITERATIONS]\n";
    return 2;
  }
  keyward::ConfigureLogging(keyward::LogFormat::kJson, spdlog::level::warn);
  keyward::ServerMetrics metrics;
  keyward::PolicyStore policies(argv[1], &metrics);
  if (keyward::Status loaded = policies.LoadInitial(); !loaded.ok()) {
    std::cerr << loaded.ToString() << "\n";
    return 2;
  }
  std::ifstream in(argv[2]);
  std::stringstream body;
  body << in.rdbuf();
  const std::string text = body.str();
  const auto webhook = std::string(argv[3]) == "mutate" ? keyward::Webhook::kMutate : keyward::Webhook::kValidate;
  const int iterations = argc > 4 ? std::atoi(argv[4]) : 20000;

  keyward::AdmissionHandler handler(&policies, &metrics);
  for (int i = 0; i < 1000; ++i) handler.Handle(webhook, "application/json", text);  // warm up
  // CPU time of this thread, so other load on the machine does not count.
  auto cpu_us = [] {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e6 + static_cast<double>(now.tv_nsec) / 1e3;
  };
  const double start = cpu_us();
  size_t bytes = 0;
  for (int i = 0; i < iterations; ++i) bytes += handler.Handle(webhook, "application/json", text).body.size();
  const double us = cpu_us() - start;
  std::printf("%s: %.2f us of CPU per request (%d requests, %zu-byte review, %zu-byte answer, %zu tenants)\n",
              argv[3], us / iterations, iterations, text.size(), bytes / static_cast<size_t>(iterations),
              policies.Current()->tenants.size());
  return 0;
}
