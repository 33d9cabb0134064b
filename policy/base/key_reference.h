// Parsing of AWS KMS key references as they appear in SageMaker specs.
//
// SageMaker accepts five spellings of a key: a key ID, a multi-Region key ID
// (mrk-...), a key ARN, an alias name (alias/...) and an alias ARN. Only a key
// ARN pins a key unambiguously (account, region and key), which is why the
// policy can require ARNs. Parsing is pure and allocation-light; it never
// throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace keyward {

enum class KeyReferenceForm {
  kKeyId,     // 1234abcd-12ab-34cd-56ef-1234567890ab or mrk-<32 hex>
  kKeyArn,    // arn:<partition>:kms:<region>:<account>:key/<key id>
  kAliasName, // alias/<name>
  kAliasArn,  // arn:<partition>:kms:<region>:<account>:alias/<name>
};

struct KeyReference {
  KeyReferenceForm form = KeyReferenceForm::kKeyId;
  std::string partition;  // empty unless an ARN
  std::string region;     // empty unless an ARN
  std::string account;    // empty unless an ARN
  std::string resource;   // the key ID, or the alias name without "alias/"

  bool IsArn() const {
    return form == KeyReferenceForm::kKeyArn || form == KeyReferenceForm::kAliasArn;
  }
  bool IsAlias() const {
    return form == KeyReferenceForm::kAliasName || form == KeyReferenceForm::kAliasArn;
  }
  // alias/aws/<service> keys are owned by AWS, not by the tenant.
  bool IsAwsManaged() const;
};

struct KeyParseResult {
  std::optional<KeyReference> key;  // set when the text is a valid reference
  std::string error;                // why it is not, when key is empty
};

// Parses `text` as any of the five forms; `error` explains the first problem
// found in words a user can act on.
KeyParseResult ParseKeyReference(std::string_view text);

// Human name of a form ("key ARN", "alias name", ...), for messages.
std::string_view KeyReferenceFormName(KeyReferenceForm form);

// True for the region names AWS uses (us-east-1, cn-north-1, us-gov-west-1,
// eu-isoe-west-1, ...); used to check policy and annotation values.
bool IsValidRegionName(std::string_view region);

}  // namespace keyward
