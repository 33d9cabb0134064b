// Cluster context at scale: `keyward serve --kubeconfig` against the in-test
// API server (tests/webhook/kube/fake_kube_api.h) holding N namespaces,
// each as a real one looks (labels, a last-applied-configuration
// annotation, managedFields).
//
//   keyward_context_bench [NAMESPACES] [ROUNDS]     (10000, 5)
//   keyward_context_bench api NAMESPACES DIR [NAME...]
//
// The second form only serves the in-test API server (NAMESPACES look-alikes
// and the NAMEs, unlabelled) until SIGTERM, for bench/compare.sh: it writes
// DIR/kubeconfig, then prints "ready".
//
// Prints, for the real binary on 127.0.0.1:
//   - the first sync: from the process start to /readyz 200;
//   - resident memory after the same requests with context off and on;
//   - how long a namespace's label change takes to reach decisions: the
//     change is pushed on the watch, then requests are sent until the
//     answer follows (median and worst of ROUNDS);
//   - Admit's CPU per request in this process, with no context and
//     with a cache of N namespaces (the lookup alone).
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "tests/support/certificates.h"
#include "tests/support/files.h"
#include "tests/support/keyward_process.h"
#include "tests/support/reviews.h"
#include "tests/webhook/kube/fake_kube_api.h"
#include "webhook/kube/namespace_cache.h"
#include "webhook/observe/log.h"
#include "webhook/server/admission_handler.h"

namespace {

using namespace keyward;
using namespace keyward::testing;
using nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr char kLabel[] = "platform.example.com/tenant";

std::string PolicyYaml() {
  return R"(apiVersion: keyward.dev/v1alpha1
kind: KeyPolicy
spec:
  defaultRegion: us-east-1
  enforcement: deny
  mutation: inject
  unmatchedNamespaces: deny
  tenants:
    - name: team-a
      namespaces: [team-a]
      keys:
        default: arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab
    - name: team-l
      namespaceSelector: {matchLabels: {platform.example.com/tenant: l}}
      keys:
        default: arn:aws:kms:us-east-1:121212121212:key/11111111-0000-4000-8000-000000000001
)";
}

json Namespace(int i, bool labelled) {
  const std::string name = "ns-" + std::to_string(i);
  json labels = {{"kubernetes.io/metadata.name", name}, {"app.kubernetes.io/part-of", "ml-platform"},
                 {"cost-center", "cc-" + std::to_string(i % 97)}};
  if (labelled) labels[kLabel] = "l";
  const std::string applied = json({{"apiVersion", "v1"}, {"kind", "Namespace"},
                                    {"metadata", {{"name", name}, {"labels", labels}}}})
                                  .dump();
  json managed = json::array({{{"manager", "kubectl-client-side-apply"},
                               {"operation", "Update"},
                               {"apiVersion", "v1"},
                               {"time", "2026-12-01T00:00:00Z"},
                               {"fieldsType", "FieldsV1"},
                               {"fieldsV1", {{"f:metadata", {{"f:annotations", {{".", json::object()}}},
                                                             {"f:labels", {{".", json::object()}}}}}}}}});
  return {{"apiVersion", "v1"},
          {"kind", "Namespace"},
          {"metadata",
           {{"name", name},
            {"uid", "00000000-0000-4000-8000-" + std::to_string(100000000000 + i)},
            {"creationTimestamp", "2026-12-01T00:00:00Z"},
            {"labels", labels},
            {"annotations", {{"kubectl.kubernetes.io/last-applied-configuration", applied}}},
            {"managedFields", managed}}},
          {"spec", {{"finalizers", {"kubernetes"}}}},
          {"status", {{"phase", "Active"}}}};
}

// Serves `namespaces` look-alikes and the `names`, unlabelled, and writes
// DIR/kubeconfig for keyward to reach `api` with its CA file `ca_file`.
void ServeNamespaces(FakeKubeApi& api, int namespaces, const std::vector<std::string>& names, const std::string& dir,
                     const std::string& ca_file) {
  std::vector<json> items;
  for (int i = 0; i < namespaces; ++i) items.push_back(Namespace(i, false));
  for (const std::string& name : names) {
    items.push_back(Namespace(-1, false));
    items.back()["metadata"]["name"] = name;
  }
  api.Serve("", "v1", "namespaces", "Namespace", std::move(items));
  WriteFile(dir + "/kubeconfig", "apiVersion: v1\nkind: Config\ncurrent-context: bench\nclusters:\n- name: fake\n"
                                 "  cluster:\n    server: " + api.server() + "\n    certificate-authority: " +
                                     ca_file + "\ncontexts:\n- name: bench\n  context: {cluster: fake, user: "
                                     "keyward}\nusers:\n- name: keyward\n  user:\n    token: t\n");
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

class Bench {
 public:
  explicit Bench(int namespaces) : namespaces_(namespaces) {
    std::filesystem::create_directories(dir_);
    ca_.WriteCertificate(dir_ + "/ca.crt");
    ca_.Issue(dir_ + "/tls.crt", dir_ + "/tls.key", "127.0.0.1");
    WriteFile(dir_ + "/policy.yaml", PolicyYaml());
    api_ = std::make_unique<FakeKubeApi>(ca_, dir_, FakeKubeApi::Options{.page_cap = 500});
    ServeNamespaces(*api_, namespaces, {"team-a"}, dir_, dir_ + "/ca.crt");
  }
  ~Bench() { std::filesystem::remove_all(dir_); }

  std::unique_ptr<KeywardProcess> Start(bool context) {
    std::vector<std::string> args = {"serve", "--policy", dir_ + "/policy.yaml", "--tls-cert", dir_ + "/tls.crt",
                                     "--tls-key", dir_ + "/tls.key", "--listen", "127.0.0.1:0", "--metrics-listen",
                                     "127.0.0.1:0", "--shutdown-delay", "0s"};
    if (context) args.insert(args.end(), {"--kubeconfig", dir_ + "/kubeconfig"});
    auto process = std::make_unique<KeywardProcess>(args, dir_ + (context ? "/on.log" : "/off.log"));
    if (!process->WaitUntilServing()) {
      std::fprintf(stderr, "keyward did not start:\n%s\n", process->Log().c_str());
      std::exit(1);
    }
    return process;
  }

  // Until /readyz answers 200; false after `bound`.
  static bool WaitReady(const KeywardProcess& process, milliseconds bound) {
    httplib::Client ops("127.0.0.1", process.metrics_port());
    const auto deadline = Clock::now() + bound;
    while (Clock::now() < deadline) {
      auto result = ops.Get("/readyz");
      if (result && result->status == 200) return true;
      std::this_thread::sleep_for(milliseconds(2));
    }
    return false;
  }

  // One mutation of an EndpointConfig in `ns`: true when keys were
  // injected (a labelled namespace is team-l's; an unlabelled one no one's).
  bool Patched(httplib::SSLClient& client, const std::string& ns) {
    json object = EndpointConfigWithoutKeys("bench");
    object["metadata"]["namespace"] = ns;
    auto result = client.Post("/mutate", CreateReview(object, ns, "u"), "application/json");
    if (!result || result->status != 200) return false;
    return json::parse(result->body, nullptr, false)["response"].contains("patch");
  }

  std::unique_ptr<httplib::SSLClient> Client(const KeywardProcess& process) {
    auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", process.admission_port());
    client->set_ca_cert_path((dir_ + "/ca.crt").c_str());
    client->enable_server_certificate_verification(true);
    client->set_keep_alive(true);
    return client;
  }

  void Warm(const KeywardProcess& process) {
    auto client = Client(process);
    for (int i = 0; i < 2000; ++i) Patched(*client, "ns-" + std::to_string(i % std::max(namespaces_, 1)));
  }

  // Pushes a label change, then asks until the answer follows.
  double ChangeLatencyMs(const KeywardProcess& process, int round) {
    auto client = Client(process);
    const int index = round % std::max(namespaces_, 1);
    const std::string ns = "ns-" + std::to_string(index);
    const bool labelled = !Patched(*client, ns);
    const auto pushed = Clock::now();
    api_->Push("MODIFIED", Namespace(index, labelled));
    while (Patched(*client, ns) != labelled) {
      if (Clock::now() - pushed > std::chrono::seconds(30)) return 30'000;
    }
    return std::chrono::duration<double, std::milli>(Clock::now() - pushed).count();
  }

  int namespaces_;
  std::string dir_ = "/tmp/keyward-context-bench-" + std::to_string(::getpid());
  TestCertificateAuthority ca_;
  std::unique_ptr<FakeKubeApi> api_;
};

// The cache as Admit reads it, without the API server behind it.
class CacheSource final : public NamespaceSource {
 public:
  explicit CacheSource(const NamespaceCache* cache) : cache_(cache) {}
  NamespaceLookup Lookup(std::string_view name) const override {
    return {LookupSource::kCache, cache_->Current()->Find(name), {}};
  }

 private:
  const NamespaceCache* cache_;
};

// Admit's CPU per request (what the server's handler runs), in this thread.
double AdmitMicroseconds(const Policy& policy, const AdmitOptions& options, const std::string& review, int iterations) {
  for (int i = 0; i < 1000; ++i) Admit(Webhook::kMutate, policy, "application/json", review, options);
  auto cpu_us = [] {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e6 + static_cast<double>(now.tv_nsec) / 1e3;
  };
  const double start = cpu_us();
  for (int i = 0; i < iterations; ++i) Admit(Webhook::kMutate, policy, "application/json", review, options);
  return (cpu_us() - start) / iterations;
}

void HandlerCost(Bench& bench, int namespaces) {
  ConfigureLogging(LogFormat::kJson, spdlog::level::warn);
  ServerMetrics metrics;
  PolicyStore policies(bench.dir_ + "/policy.yaml", &metrics);
  if (!policies.LoadInitial().ok()) return;
  NamespaceCache cache;
  for (int i = 0; i < namespaces; ++i) cache.OnListItem(Namespace(i, false));
  json team_a = Namespace(-1, false);
  team_a["metadata"]["name"] = "team-a";
  cache.OnListItem(team_a);
  cache.OnListEnd(true);
  CacheSource source(&cache);
  // The same work with and without context (team-a is claimed by name), so
  // the difference is the lookup.
  json object = EndpointConfigWithoutKeys("bench");
  const std::string review = CreateReview(object, "team-a", "u");
  const AdmitOptions off;
  AdmitOptions on;
  on.namespaces = &source;
  std::vector<double> off_us, on_us;
  for (int round = 0; round < 5; ++round) {
    off_us.push_back(AdmitMicroseconds(*policies.Current(), off, review, 20000));
    on_us.push_back(AdmitMicroseconds(*policies.Current(), on, review, 20000));
  }
  std::printf("Admit CPU per mutate request (median of 5 x 20,000): context off %.2f us, on (%d namespaces) "
              "%.2f us, ratio %.3f\n",
              Median(off_us), namespaces, Median(on_us), Median(on_us) / Median(off_us));
}

}  // namespace

int ServeApi(int namespaces, const std::string& dir, const std::vector<std::string>& names) {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // before any thread starts: they inherit the mask
  TestCertificateAuthority ca;
  ca.WriteCertificate(dir + "/api-ca.crt");
  FakeKubeApi api(ca, dir, FakeKubeApi::Options{.page_cap = 500});
  ServeNamespaces(api, namespaces, names, dir, dir + "/api-ca.crt");
  std::printf("ready\n");
  std::fflush(stdout);
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 3 && std::string(argv[1]) == "api") {
    return ServeApi(std::atoi(argv[2]), argv[3], std::vector<std::string>(argv + 4, argv + argc));
  }
  const int namespaces = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  if (namespaces < 1 || rounds < 1) {
    std::fprintf(stderr, "usage: keyward_context_bench [NAMESPACES >= 1] [ROUNDS >= 1]\n");
    return 2;
  }
  Bench bench(namespaces);

  long rss_off = 0;
  {
    auto off = bench.Start(false);
    bench.Warm(*off);
    rss_off = off->RssKiB();
  }

  std::vector<double> sync_ms;
  long rss_on = 0;
  std::vector<double> change_ms;
  for (int round = 0; round < rounds; ++round) {
    const auto start = Clock::now();
    auto on = bench.Start(true);
    if (!Bench::WaitReady(*on, milliseconds(60'000))) {
      std::fprintf(stderr, "not ready within 60 s:\n%s\n", on->Log().c_str());
      return 1;
    }
    sync_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    bench.Warm(*on);
    rss_on = std::max(rss_on, on->RssKiB());
    change_ms.push_back(bench.ChangeLatencyMs(*on, round));
  }
  std::printf("namespaces: %d; rounds: %d\n", namespaces, rounds);
  std::printf("first sync (process start to /readyz 200): median %.0f ms, worst %.0f ms (target <= 5000)\n",
              Median(sync_ms), *std::max_element(sync_ms.begin(), sync_ms.end()));
  std::printf("resident memory after 2,000 requests: context off %.1f MiB, on %.1f MiB (worst round), extra %.1f "
              "MiB (target <= 20)\n",
              rss_off / 1024.0, rss_on / 1024.0, (rss_on - rss_off) / 1024.0);
  std::printf("label change to decision: median %.1f ms, worst %.1f ms (target <= 1000)\n", Median(change_ms),
              *std::max_element(change_ms.begin(), change_ms.end()));
  HandlerCost(bench, namespaces);
  return 0;
}
