// The audit's input reader read twice, as `keyward audit` reads it: a first
// pass for the Namespace objects only (items that cannot be one passed over
// unparsed), then every object; standard input is read once and kept.
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "webhook/cli/audit_input.h"

namespace keyward {
namespace {

using nlohmann::json;
using Kinds = std::vector<std::string>;

OnAuditObject KindsInto(Kinds* kinds) {
  return [kinds](json object, const std::string&) { kinds->push_back(object.value("kind", "")); };
}

TEST(AuditInputTest, StandardInputIsReadOnceAndReadAgainFromWhatWasKept) {
  std::istringstream in(R"({"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "sagemaker.services.k8s.aws/v1alpha1", "kind": "TrainingJob", "metadata": {"name": "a"}},
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}]})");
  StandardInput standard_input(in);
  Kinds first, second;
  EXPECT_TRUE(ReadAuditInputs({"-"}, standard_input, KindsInto(&first), "Namespace").empty());
  EXPECT_EQ(first, Kinds{"Namespace"});
  EXPECT_TRUE(ReadAuditInputs({"-"}, standard_input, KindsInto(&second)).empty());
  EXPECT_EQ(second, (Kinds{"TrainingJob", "Namespace"}));
}

TEST(AuditInputTest, AFilteredPassParsesWhatAnEscapeCouldSpellAndLeavesErrorsToTheFullPass) {
  // "Namespac\u0065" is "Namespace": an item with an escape is parsed.
  const std::string text = R"([{"kind": "Namespac\u0065"}, {"kind": "TrainingJob", "spec": {"broken": ]}])";
  Kinds filtered, all;
  EXPECT_TRUE(ReadJsonItems(text, "in.json", KindsInto(&filtered), "Namespace").empty());
  EXPECT_EQ(filtered, Kinds{"Namespace"});
  // The broken item was passed over above; the full pass reports it, once.
  const std::vector<Status> errors = ReadJsonItems(text, "in.json", KindsInto(&all));
  EXPECT_EQ(all, Kinds{"Namespace"});
  EXPECT_FALSE(errors.empty());
}

}  // namespace
}  // namespace keyward
