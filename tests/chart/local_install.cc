#include "tests/chart/local_install.h"

#include <filesystem>
#include <thread>

#include <httplib.h>

#include <gtest/gtest.h>

#include "tests/chart/x509_support.h"

namespace keyward::testing {
namespace {

namespace fs = std::filesystem;

bool StartsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

}  // namespace

LocalInstall::LocalInstall(const Objects& objects, std::string_view deployment_name) {
  YAML::Node deployment = objects.One("Deployment", deployment_name);
  YAML::Node pod = At(deployment, "spec.template.spec");
  YAML::Node container = pod["containers"][0];
  if (!container.IsMap()) {
    ADD_FAILURE() << "no container in Deployment " << deployment_name;
    return;
  }
  grace_period_seconds_ = pod["terminationGracePeriodSeconds"].as<int>(30);
  readiness_path_ = At(container, "readinessProbe.httpGet.path").as<std::string>("");
  liveness_path_ = At(container, "livenessProbe.httpGet.path").as<std::string>("");
  WriteVolumes(objects, pod, container);

  webhook_port_ = FreeLoopbackPort();
  probe_port_ = FreeLoopbackPort();
  std::vector<std::string> args;
  for (std::string arg : Strings(container["args"])) {
    if (arg == "--in-cluster") continue;  // no service account here (see local_install.h)
    if (StartsWith(arg, "--listen=")) arg = "--listen=127.0.0.1:" + std::to_string(webhook_port_);
    if (StartsWith(arg, "--metrics-listen=")) arg = "--metrics-listen=127.0.0.1:" + std::to_string(probe_port_);
    // Paths inside the pod's mounts live under the temporary root here.
    size_t eq = arg.find("=/");
    if (eq != std::string::npos) arg = arg.substr(0, eq + 1) + root_.path() + arg.substr(eq + 1);
    args.push_back(arg);
  }
  process_ = std::make_unique<KeywardProcess>(args, root_.File("keyward.log"));
}

void LocalInstall::WriteVolumes(const Objects& objects, const YAML::Node& pod, const YAML::Node& container) {
  for (const YAML::Node& mount : container["volumeMounts"]) {
    std::string volume_name = mount["name"].as<std::string>();
    fs::path directory = root_.path() + mount["mountPath"].as<std::string>();
    fs::create_directories(directory);
    for (const YAML::Node& volume : pod["volumes"]) {
      if (volume["name"].as<std::string>() != volume_name) continue;
      if (volume["configMap"]) {
        YAML::Node config_map = objects.One("ConfigMap", At(volume, "configMap.name").as<std::string>(""));
        for (const auto& entry : config_map["data"]) {
          WriteFile((directory / entry.first.as<std::string>()).string(), entry.second.as<std::string>());
        }
      } else if (volume["secret"]) {
        YAML::Node secret = objects.One("Secret", At(volume, "secret.secretName").as<std::string>(""));
        for (const auto& entry : secret["data"]) {
          WriteFile((directory / entry.first.as<std::string>()).string(), Base64Decode(entry.second.as<std::string>()));
        }
      } else {
        ADD_FAILURE() << "volume " << volume_name << " is neither a ConfigMap nor a Secret";
      }
    }
  }
}

int LocalInstall::ProbeStatus(const std::string& path) {
  httplib::Client client("127.0.0.1", probe_port_);
  client.set_connection_timeout(1);
  client.set_read_timeout(2);
  httplib::Result result = client.Get(path.c_str());
  return result ? result->status : 0;
}

bool LocalInstall::WaitUntilReady(std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_ || !process_->Running()) return false;
    if (ProbeStatus(readiness_path_) == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int LocalInstall::Terminate() {
  return process_ ? process_->Stop(std::chrono::seconds(grace_period_seconds_)) : -1;
}

std::string LocalInstall::Log() const { return ReadFile(root_.File("keyward.log")); }

void ExpectServesWhatTheApiserverTrusts(const Objects& objects, const std::string& name,
                                        const std::string& service_host) {
  YAML::Node webhook = objects.One("ValidatingWebhookConfiguration", name)["webhooks"][0];
  std::string ca_pem = Base64Decode(At(webhook, "clientConfig.caBundle").as<std::string>(""));

  LocalInstall install(objects, name);
  ASSERT_TRUE(install.WaitUntilReady(std::chrono::seconds(20))) << install.Log();
  EXPECT_EQ(install.ProbeStatus(install.liveness_path()), 200);

  EXPECT_EQ(TlsHandshake(install.webhook_port(), ca_pem, service_host), "") << install.Log();
  EXPECT_NE(TlsHandshake(install.webhook_port(), ca_pem, "keyward.elsewhere.svc"), "")
      << "the certificate must not be valid for other names";

  EXPECT_EQ(install.Terminate(), 0) << "keyward must exit 0 within terminationGracePeriodSeconds\n" << install.Log();
}

}  // namespace keyward::testing
