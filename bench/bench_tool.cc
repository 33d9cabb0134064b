// Inputs for the load test: compact JSON bodies (the apiserver sends JSON
// without whitespace) and policies with many tenants.
//
//   keyward_bench_tool compact REVIEW.json > body.json
//   keyward_bench_tool policy TENANTS > policy.yaml
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace {

// team-a owns the namespace of the captured reviews; the others are
// look-alikes that only make the policy big.
void PrintPolicy(int tenants) {
  std::printf(
      "apiVersion: keyward.dev/v1alpha1\n"
      "kind: KeyPolicy\n"
      "spec:\n"
      "  defaultRegion: us-east-1\n"
      "  trustedUsers: [system:serviceaccount:ack-system:ack-sagemaker-controller]\n"
      "  tenants:\n"
      "    - name: team-a\n"
      "      namespaces: [team-a]\n"
      "      keys:\n"
      "        default: arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab\n");
  for (int i = 1; i < tenants; ++i) {
    std::printf(
        "    - name: tenant-%05d\n"
        "      namespaces: [tenant-%05d, tenant-%05d-dev, \"tenant-%05d-ml-*\"]\n"
        "      keys:\n"
        "        default: arn:aws:kms:us-east-1:%012d:key/%08x-0000-4000-8000-%012x\n"
        "      allowedKeys: [\"arn:aws:kms:us-east-1:%012d:key/*\"]\n",
        i, i, i, i, 100000000 + i, i, i, 100000000 + i);
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
    PrintPolicy(std::stoi(argv[2]));
    return 0;
  }
  std::cerr << "usage: keyward_bench_tool compact REVIEW.json | policy TENANTS\n";
  return 2;
}
