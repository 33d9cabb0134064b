// ParseKeyReference on any text. Properties: it never throws; it returns a
// key or an error, never both or neither; a parsed reference re-joins to
// exactly its input (no character dropped or invented); a parsed ARN has a
// valid region and a 12-digit account.
#include <string>

#include "fuzz/fuzz_check.h"
#include "fuzz/properties.h"
#include "policy/base/key_reference.h"

namespace {

using keyward::KeyReference;
using keyward::KeyReferenceForm;

std::string Rejoin(const KeyReference& key) {
  switch (key.form) {
    case KeyReferenceForm::kKeyId: return key.resource;
    case KeyReferenceForm::kAliasName: return "alias/" + key.resource;
    case KeyReferenceForm::kKeyArn:
    case KeyReferenceForm::kAliasArn:
      return "arn:" + key.partition + ":kms:" + key.region + ":" + key.account + ":" +
             (key.form == KeyReferenceForm::kKeyArn ? "key/" : "alias/") + key.resource;
  }
  return "";
}

}  // namespace

void keyward::fuzz::CheckKeyReference(const uint8_t* data, size_t size) {
  using keyward::fuzz::Require;
  const std::string_view text = keyward::fuzz::AsText(data, size);
  const keyward::KeyParseResult result = keyward::ParseKeyReference(text);

  Require(result.key.has_value() != !result.error.empty(), "a key or an error, exactly one", result.error);
  if (!result.key) return;
  const KeyReference& key = *result.key;
  Require(Rejoin(key) == text, "the parsed parts re-join to the input", Rejoin(key) + " != " + std::string(text));
  Require(!key.resource.empty(), "a parsed reference names a key or an alias");
  if (key.IsArn()) {
    Require(keyward::IsValidRegionName(key.region), "an ARN's region is a region name", key.region);
    Require(key.account.size() == 12, "an ARN's account has 12 digits", key.account);
    Require(!key.partition.empty(), "an ARN has a partition");
  } else {
    Require(key.partition.empty() && key.region.empty() && key.account.empty(),
            "only ARNs carry partition, region and account");
  }
  Require(!key.IsAwsManaged() || key.IsAlias(), "only aliases are AWS-managed");
  (void)keyward::KeyReferenceFormName(key.form);
}
