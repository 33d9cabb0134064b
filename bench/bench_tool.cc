// Inputs for the load test: compact JSON bodies (the apiserver sends JSON
// without whitespace) and policies with many tenants.
//
//   keyward_bench_tool compact REVIEW.json > body.json
//   keyward_bench_tool policy TENANTS [NAMESPACE] > policy.yaml
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace {

// team-a owns the namespace of the captured reviews (and any extra ones
// named, such as the peer kit's "alpha"); the others are look-alikes that
// only make the policy big. Every tenant has namespaces, keys, roles,
// subnets, security groups and image registries, so each lookup the core
// makes per request runs against a full-size table.
void PrintPolicy(int tenants, const std::string& extra_namespace) {
  std::printf(
      "apiVersion: keyward.dev/v1alpha1\n"
      "kind: KeyPolicy\n"
      "spec:\n"
      "  defaultRegion: us-east-1\n"
      "  trustedUsers: [system:serviceaccount:ack-system:ack-sagemaker-controller]\n"
      "  tenants:\n"
      "    - name: team-a\n"
      "      namespaces: [team-a%s%s]\n"
      "      keys:\n"
      "        default: arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab\n"
      "      roles: [\"arn:aws:iam::111122223333:role/*\"]\n"
      "      subnets: [\"subnet-0a1b*\"]\n"
      "      securityGroups: [\"sg-0a1b*\"]\n"
      "      imageRegistries: [\"*.dkr.ecr.*.amazonaws.com/*\"]\n",
      extra_namespace.empty() ? "" : ", ", extra_namespace.c_str());
  for (int i = 1; i < tenants; ++i) {
    std::printf(
        "    - name: tenant-%05d\n"
        "      namespaces: [tenant-%05d, tenant-%05d-dev, \"tenant-%05d-ml-*\"]\n"
        "      keys:\n"
        "        default: arn:aws:kms:us-east-1:%012d:key/%08x-0000-4000-8000-%012x\n"
        "      allowedKeys: [\"arn:aws:kms:us-east-1:%012d:key/*\"]\n"
        "      roles: [\"arn:aws:iam::%012d:role/*\"]\n"
        "      subnets: [\"subnet-%017x\"]\n"
        "      securityGroups: [\"sg-%017x\"]\n"
        "      imageRegistries: [\"%012d.dkr.ecr.us-east-1.amazonaws.com/*\"]\n",
        i, i, i, i, 100000000 + i, i, i, 100000000 + i, 100000000 + i, i, i, 100000000 + i);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 2 ? argv[1] : "";
  if (command == "compact") {
    std::ifstream in(argv[2]);
    std::cout << nlohmann::json::parse(in).dump();
    return 0;
  }
  if (command == "policy") {
    PrintPolicy(std::stoi(argv[2]), argc > 3 ? argv[3] : "");
    return 0;
  }
  std::cerr << "usage: keyward_bench_tool compact REVIEW.json | policy TENANTS [NAMESPACE]\n";
  return 2;
}
