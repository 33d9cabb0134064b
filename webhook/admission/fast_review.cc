#include "webhook/admission/fast_review.h"

#include <simdjson.h>

#include <array>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "webhook/base/bounded_json.h"

namespace keyward {
namespace {

using Json = nlohmann::json;
namespace dom = simdjson::dom;

// The members left out, as a tree of object keys from the review down.
struct PruneRule;
struct PrunedMember {
  std::string_view key;
  const PruneRule* inside;  // the rule for the member's value; null: leave the member out
};
struct PruneRule {
  std::span<const PrunedMember> members;
  // Leave out every member not listed (a listed one with no rule of its own
  // is then kept whole), rather than the listed ones.
  bool keep_only_listed = false;
};

constexpr PrunedMember kAnnotationMembers[] = {{"kubectl.kubernetes.io/last-applied-configuration", nullptr}};
constexpr PruneRule kAnnotations{kAnnotationMembers};
constexpr PrunedMember kMetadataMembers[] = {{"managedFields", nullptr}, {"annotations", &kAnnotations}};
constexpr PruneRule kMetadata{kMetadataMembers};
// Of the status, only what ACK records of where the resource is (the
// region rules read it from the stored object).
constexpr PrunedMember kStatusMembers[] = {{"ackResourceMetadata", nullptr}};
constexpr PruneRule kStatus{kStatusMembers, /*keep_only_listed=*/true};
constexpr PrunedMember kObjectMembers[] = {{"status", &kStatus}, {"metadata", &kMetadata}};
constexpr PruneRule kObject{kObjectMembers};
constexpr PrunedMember kUserInfoMembers[] = {{"groups", nullptr}, {"extra", nullptr}, {"uid", nullptr}};
constexpr PruneRule kUserInfo{kUserInfoMembers};
// Of the request, what DecodeAdmissionReview does not read either.
constexpr PrunedMember kRequestMembers[] = {
    {"object", &kObject},         {"oldObject", &kObject},       {"userInfo", &kUserInfo},
    {"resource", nullptr},        {"requestKind", nullptr},      {"requestResource", nullptr},
    {"requestSubResource", nullptr}, {"options", nullptr}};
constexpr PruneRule kRequest{kRequestMembers};
constexpr PrunedMember kReviewMembers[] = {{"request", &kRequest}};
constexpr PruneRule kReview{kReviewMembers};

const PrunedMember* FindMember(const PruneRule* rule, std::string_view key) {
  if (rule == nullptr) return nullptr;
  for (const PrunedMember& member : rule->members) {
    if (member.key == key) return &member;
  }
  return nullptr;
}

// Parsers are reused: allocating a parser's buffers costs more than parsing
// a small review. They wait in a small shared pool rather than one a thread:
// any thread may admit a request (the server's loops, the CLI's), and a
// parser keeps about fifteen times the largest body it has read, so one that
// grew is freed rather than kept.
class ParserPool {
 public:
  std::unique_ptr<dom::parser> Take() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        std::unique_ptr<dom::parser> parser = std::move(idle_.back());
        idle_.pop_back();
        return parser;
      }
    }
    return std::make_unique<dom::parser>();
  }

  // Keeps the parser for the next request, unless the pool is full or the
  // parser has grown past kRetainedCapacity: then it is freed.
  void Give(std::unique_ptr<dom::parser> parser) {
    if (parser->capacity() > kRetainedCapacity) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(parser));
  }

 private:
  // At most about 16 MiB kept in all: more parsers than cores never help.
  static constexpr size_t kMaxIdle = 16;
  static constexpr size_t kRetainedCapacity = 64 * 1024;

  std::mutex mutex_;
  std::vector<std::unique_ptr<dom::parser>> idle_;
};

// Never destroyed: a server thread may still parse while the process exits.
ParserPool& Parsers() {
  static ParserPool* pool = new ParserPool;
  return *pool;
}

// Sets the parser's depth bound to kMaxJsonDepth (it keeps it as its
// buffers grow). simdjson fails a document whose non-empty containers nest
// that deep, so every document it accepts, the members left out included,
// nests at most kMaxJsonDepth levels, empty containers counted: within the
// slow path's bound. (Documents exactly kMaxJsonDepth deep that end in a
// non-empty container take the slow path.)
bool BoundDepth(dom::parser& parser) {
  if (parser.max_depth() == kMaxJsonDepth) return true;
  return parser.allocate(simdjson::dom::MINIMAL_DOCUMENT_CAPACITY, kMaxJsonDepth) == simdjson::SUCCESS;
}

// A scalar as simdjson's type From, stored as nlohmann's type To.
template <typename From, typename To>
bool Read(dom::element element, Json* out) {
  From value{};
  if (element.get(value) != simdjson::SUCCESS) return false;
  *out = To(value);
  return true;
}

// What nlohmann's parser makes of the same text (see the header on -0).
// Containers deeper than kMaxJsonDepth fail (simdjson's own bound already
// ensures that; checked again so this never recurses past it).
bool Convert(dom::element element, size_t depth, const PruneRule* rule, Json* out) {
  switch (element.type()) {
    case dom::element_type::OBJECT: {
      dom::object fields;
      if (depth > kMaxJsonDepth || element.get(fields) != simdjson::SUCCESS) return false;
      *out = Json::object();
      Json::object_t& members = out->get_ref<Json::object_t&>();
      for (dom::key_value_pair field : fields) {
        const PrunedMember* pruned = FindMember(rule, field.key);
        const bool keep_only = rule != nullptr && rule->keep_only_listed;
        const bool left_out = keep_only ? pruned == nullptr : pruned != nullptr && pruned->inside == nullptr;
        if (left_out) continue;
        // The hint: keys mostly come sorted (Go writes a map's keys in
        // order, and a custom resource is a map), so the end is where the
        // key goes, found with one comparison. A later duplicate key finds
        // the earlier member, whose value it replaces, as in nlohmann.
        auto member = members.emplace_hint(members.end(), std::piecewise_construct,
                                           std::forward_as_tuple(field.key), std::forward_as_tuple());
        if (!Convert(field.value, depth + 1, pruned != nullptr ? pruned->inside : nullptr, &member->second)) {
          return false;
        }
      }
      return true;
    }
    case dom::element_type::ARRAY: {
      dom::array items;
      if (depth > kMaxJsonDepth || element.get(items) != simdjson::SUCCESS) return false;
      *out = Json::array();
      Json::array_t& values = out->get_ref<Json::array_t&>();
      values.reserve(items.size());
      for (dom::element item : items) {
        if (!Convert(item, depth + 1, nullptr, &values.emplace_back())) return false;
      }
      return true;
    }
    case dom::element_type::STRING:
      return Read<std::string_view, Json::string_t>(element, out);
    case dom::element_type::INT64: {
      int64_t value = 0;
      if (element.get(value) != simdjson::SUCCESS) return false;
      if (value < 0) {
        *out = Json::number_integer_t{value};
      } else {
        *out = static_cast<Json::number_unsigned_t>(value);
      }
      return true;
    }
    case dom::element_type::UINT64:
      return Read<uint64_t, Json::number_unsigned_t>(element, out);
    case dom::element_type::DOUBLE:
      return Read<double, Json::number_float_t>(element, out);
    case dom::element_type::BOOL:
      return Read<bool, Json::boolean_t>(element, out);
    case dom::element_type::NULL_VALUE:
      *out = nullptr;
      return true;
  }
  return false;  // a type this simdjson knows and this code does not
}

// The last member of each listed name (nlohmann keeps the last of
// duplicate keys), or nullopt where there is none.
template <size_t N>
std::array<std::optional<dom::element>, N> LastMembers(dom::object object,
                                                       const std::array<std::string_view, N>& names) {
  std::array<std::optional<dom::element>, N> found;
  for (dom::key_value_pair field : object) {
    for (size_t i = 0; i < N; ++i) {
      if (field.key == names[i]) {
        found[i] = field.value;
        break;
      }
    }
  }
  return found;
}

bool IsAbsent(const std::optional<dom::element>& member) { return !member || member->is_null(); }

// A string member as DecodeAdmissionReview reads one: absent or null is "";
// any other type refuses the fast decode.
bool ReadString(const std::optional<dom::element>& member, std::string* out) {
  if (IsAbsent(member)) return true;
  std::string_view text;
  if (member->get(text) != simdjson::SUCCESS) return false;
  out->assign(text);
  return true;
}

// An object member (absent or null: none) converted to *out, which *pointer
// then names.
bool ReadObject(const std::optional<dom::element>& member, const PruneRule* rule, Json* out,
                const Json** pointer) {
  *pointer = nullptr;
  if (IsAbsent(member)) return true;
  if (!member->is_object() || !Convert(*member, 3, rule, out)) return false;
  *pointer = out;
  return true;
}

// What DecodeRequest (admission_codec.cc) reads, read from simdjson: true
// only where it would succeed, with the same values.
bool DecodeRequestFast(dom::object request, const PruneRule* object_rule, DecodedReview* out, Json* object,
                       Json* old_object) {
  enum { kUid, kKind, kOperation, kNamespace, kName, kSubResource, kUserInfo, kDryRun, kObject, kOldObject };
  const auto members = LastMembers<10>(request, {"uid", "kind", "operation", "namespace", "name", "subResource",
                                                 "userInfo", "dryRun", "object", "oldObject"});
  AdmissionRequest& decoded = out->request;
  std::string_view uid;
  if (!members[kUid] || members[kUid]->get(uid) != simdjson::SUCCESS || uid.empty()) return false;
  out->uid.assign(uid);

  dom::object kind;
  if (!members[kKind] || members[kKind]->get(kind) != simdjson::SUCCESS) return false;
  const auto kind_members = LastMembers<3>(kind, {"group", "version", "kind"});
  if (!ReadString(kind_members[0], &decoded.group) || !ReadString(kind_members[1], &decoded.version) ||
      !ReadString(kind_members[2], &decoded.kind) || decoded.kind.empty()) {
    return false;
  }

  std::string_view operation;
  if (!members[kOperation] || members[kOperation]->get(operation) != simdjson::SUCCESS ||
      !ParseOperation(operation, &decoded.operation)) {
    return false;
  }
  if (!ReadString(members[kNamespace], &decoded.namespace_name) || !ReadString(members[kName], &decoded.name) ||
      !ReadString(members[kSubResource], &decoded.sub_resource)) {
    return false;
  }
  if (!IsAbsent(members[kUserInfo])) {
    dom::object user_info;
    if (members[kUserInfo]->get(user_info) != simdjson::SUCCESS) return false;
    if (!ReadString(LastMembers<1>(user_info, {"username"})[0], &decoded.username)) return false;
  }
  if (!IsAbsent(members[kDryRun]) && members[kDryRun]->get(decoded.dry_run) != simdjson::SUCCESS) return false;

  if (!ReadObject(members[kObject], object_rule, object, &decoded.object) ||
      !ReadObject(members[kOldObject], object_rule, old_object, &decoded.old_object)) {
    return false;
  }
  return CheckRequestObjects(decoded).ok();
}

bool DecodeReviewRoot(dom::element root, const PruneRule* object_rule, DecodedReview* out, Json* object,
                      Json* old_object) {
  dom::object review;
  if (root.get(review) != simdjson::SUCCESS) return false;
  const auto members = LastMembers<3>(review, {"apiVersion", "kind", "request"});
  std::string_view api_version;
  std::string_view kind;
  dom::object request;
  if (!members[0] || members[0]->get(api_version) != simdjson::SUCCESS || !IsAdmissionApiVersion(api_version)) {
    return false;
  }
  if (!members[1] || members[1]->get(kind) != simdjson::SUCCESS || kind != "AdmissionReview") return false;
  if (!members[2] || members[2]->get(request) != simdjson::SUCCESS) return false;
  out->api_version.assign(api_version);
  return DecodeRequestFast(request, object_rule, out, object, old_object);
}

// Runs `use` on the parsed body's root while the parser is held; false when
// the body is too large for the fast path or simdjson refuses it.
template <typename Use>
bool WithParsedBody(std::string_view body, Use use) {
  if (body.size() > kMaxFastReviewBytes) return false;
  std::unique_ptr<dom::parser> parser = Parsers().Take();
  if (!BoundDepth(*parser)) return false;
  dom::element root;
  // realloc_if_needed: simdjson reads past the end of the text, so it copies
  // the body into a padded buffer of the parser's (50 ns for 7 KiB).
  const bool used = parser->parse(body.data(), body.size(), /*realloc_if_needed=*/true).get(root) ==
                        simdjson::SUCCESS &&
                    use(root);
  Parsers().Give(std::move(parser));
  return used;
}

}  // namespace

bool DecodeReviewFast(std::string_view body, ReviewPruning pruning, DecodedReview* out, Json* object,
                      Json* old_object) {
  const PruneRule* object_rule = pruning == ReviewPruning::kIgnoredMembers ? &kObject : nullptr;
  return WithParsedBody(body, [&](dom::element root) {
    return DecodeReviewRoot(root, object_rule, out, object, old_object);
  });
}

std::optional<Json> ParseReviewFast(std::string_view body, ReviewPruning pruning) {
  const PruneRule* rule = pruning == ReviewPruning::kIgnoredMembers ? &kReview : nullptr;
  Json document;
  if (!WithParsedBody(body, [&](dom::element root) { return Convert(root, 1, rule, &document); })) {
    return std::nullopt;
  }
  return document;
}

}  // namespace keyward
