#include "policy/base/key_reference.h"

#include <array>

#include "policy/base/text.h"

namespace keyward {
namespace {

constexpr std::string_view kAliasPrefix = "alias/";
constexpr std::string_view kAwsManagedAliasPrefix = "aws/";

// Partitions in which KMS exists; an unknown partition is a typo far more
// often than a new partition.
constexpr std::array<std::string_view, 8> kPartitions = {
    "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"};

// ASCII classes spelled out rather than <cctype>'s: those are calls into
// the C library (locale-aware) for every character of every key a request
// carries or is given, and keys are ASCII by definition.
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
// White space or a control character in the C locale: 0x00-0x20 and DEL.
bool IsSpaceOrControl(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte <= 0x20 || byte == 0x7f;
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

// 8-4-4-4-12 hexadecimal digits.
bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

// Multi-Region keys: mrk- followed by 32 hexadecimal digits.
bool IsMultiRegionKeyId(std::string_view s) {
  return s.size() == 36 && s.substr(0, 4) == "mrk-" && AllOf(s.substr(4), IsHex);
}

bool IsKeyId(std::string_view s) { return IsUuid(s) || IsMultiRegionKeyId(s); }

bool IsAliasNameChar(char c) {
  return IsAlnum(c) || c == '/' || c == '_' || c == '-';
}

// Checks the part after "alias/"; returns an error or "".
std::string CheckAliasName(std::string_view name) {
  if (name.empty()) return "the alias name after \"alias/\" is empty";
  if (name.size() > 250) return "the alias name is longer than 250 characters";
  if (!AllOf(name, IsAliasNameChar)) {
    return "an alias name may contain only letters, digits, '/', '_' and '-'";
  }
  return "";
}

std::string CheckKeyId(std::string_view id) {
  if (IsKeyId(id)) return "";
  return Quote(id) +
         " is not a key ID (expected 8-4-4-4-12 hex digits such as "
         "1234abcd-12ab-34cd-56ef-1234567890ab, or mrk- and 32 hex digits)";
}

KeyParseResult Fail(std::string error) { return {std::nullopt, std::move(error)}; }

// Splits on ':' into at most 6 parts: arn, partition, service, region, account, resource.
std::array<std::string_view, 6> SplitArn(std::string_view text, size_t* parts) {
  std::array<std::string_view, 6> out{};
  *parts = 0;
  size_t start = 0;
  while (*parts < 5) {
    size_t colon = text.find(':', start);
    if (colon == std::string_view::npos) break;
    out[(*parts)++] = text.substr(start, colon - start);
    start = colon + 1;
  }
  out[(*parts)++] = text.substr(start);
  return out;
}

KeyParseResult ParseArn(std::string_view text) {
  size_t parts = 0;
  auto field = SplitArn(text, &parts);
  constexpr std::string_view kShape = " (expected arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID or ...:alias/NAME)";
  if (parts != 6) return Fail("an ARN has six ':'-separated parts" + std::string(kShape));
  auto [arn, partition, service, region, account, resource] = field;
  bool known_partition = false;
  for (auto p : kPartitions) known_partition = known_partition || p == partition;
  if (!known_partition) return Fail("unknown AWS partition \"" + std::string(partition) + "\"" + std::string(kShape));
  if (service != "kms") {
    return Fail("the ARN names service \"" + std::string(service) + "\", not kms" + std::string(kShape));
  }
  if (!IsValidRegionName(region)) {
    return Fail("\"" + std::string(region) + "\" is not an AWS region name (such as us-east-1)");
  }
  if (account.size() != 12 || !AllOf(account, IsDigit)) {
    return Fail("the account \"" + std::string(account) + "\" is not a 12-digit AWS account ID");
  }
  KeyReference key;
  key.partition = partition;
  key.region = region;
  key.account = account;
  if (resource.starts_with("key/")) {
    std::string_view id = resource.substr(4);
    if (auto error = CheckKeyId(id); !error.empty()) return Fail(error);
    key.form = KeyReferenceForm::kKeyArn;
    key.resource = id;
  } else if (resource.starts_with(kAliasPrefix)) {
    std::string_view name = resource.substr(kAliasPrefix.size());
    if (auto error = CheckAliasName(name); !error.empty()) return Fail(error);
    key.form = KeyReferenceForm::kAliasArn;
    key.resource = name;
  } else {
    return Fail("the ARN's resource \"" + std::string(resource) + "\" is neither key/KEY-ID nor alias/NAME");
  }
  return {std::move(key), ""};
}

}  // namespace

bool KeyReference::IsAwsManaged() const {
  return IsAlias() && resource.starts_with(kAwsManagedAliasPrefix);
}

bool IsValidRegionName(std::string_view region) {
  // Lower-case words joined by '-', ending in a number: us-east-1,
  // us-gov-west-1, eu-isoe-west-1, ap-southeast-5.
  if (region.size() < 4 || region.size() > 32) return false;
  size_t last_dash = region.rfind('-');
  if (last_dash == std::string_view::npos || last_dash == 0) return false;
  std::string_view number = region.substr(last_dash + 1);
  if (number.empty() || !AllOf(number, IsDigit)) return false;
  std::string_view words = region.substr(0, last_dash);
  if (words.front() == '-' || words.back() == '-' || words.find("--") != std::string_view::npos) return false;
  return AllOf(words, [](char c) { return IsLowerAlnum(c) || c == '-'; }) &&
         words.find('-') != std::string_view::npos;
}

KeyParseResult ParseKeyReference(std::string_view text) {
  if (text.empty()) return Fail("the key reference is empty");
  for (char c : text) {
    if (IsSpaceOrControl(c)) {
      return Fail("the key reference contains white space or control characters");
    }
  }
  if (text.size() > 2048) return Fail("the key reference is longer than 2048 characters");
  if (text.starts_with("arn:")) return ParseArn(text);
  if (text.starts_with(kAliasPrefix)) {
    std::string_view name = text.substr(kAliasPrefix.size());
    if (auto error = CheckAliasName(name); !error.empty()) return Fail(error);
    KeyReference key;
    key.form = KeyReferenceForm::kAliasName;
    key.resource = name;
    return {std::move(key), ""};
  }
  if (auto error = CheckKeyId(text); !error.empty()) {
    return Fail(Quote(text) + " is not a KMS key reference (expected a key ARN, alias ARN, alias/NAME or key ID)");
  }
  KeyReference key;
  key.form = KeyReferenceForm::kKeyId;
  key.resource = text;
  return {std::move(key), ""};
}

std::string_view KeyReferenceFormName(KeyReferenceForm form) {
  switch (form) {
    case KeyReferenceForm::kKeyId: return "key ID";
    case KeyReferenceForm::kKeyArn: return "key ARN";
    case KeyReferenceForm::kAliasName: return "alias name";
    case KeyReferenceForm::kAliasArn: return "alias ARN";
  }
  return "key reference";
}

}  // namespace keyward
