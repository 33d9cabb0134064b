#include "webhook/server/readiness.h"

namespace keyward {

std::string NotReadyBecause(const ReadinessSources& sources) {
  if (sources.draining->load()) return "shutting down";
  if (sources.policies->Current() == nullptr) return "no policy is loaded";
  if (sources.credentials->Current() == nullptr) return "no serving certificate is loaded";
  if (sources.cluster != nullptr && !sources.cluster->synced()) {
    std::string why = "the namespaces are not listed yet (cluster context)";
    const Status problem = sources.cluster->watch_state().last_problem;
    if (!problem.ok()) why.append(": ").append(problem.ToString());
    return why;
  }
  return std::string();
}

}  // namespace keyward
