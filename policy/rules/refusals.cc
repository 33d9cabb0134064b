#include "policy/rules/refusals.h"

#include "policy/base/text.h"

namespace keyward {
namespace {

bool Covers(const SplitPath& row, const SplitPath& field) {
  if (row.size() > field.size()) return false;
  for (size_t i = 0; i < row.size(); ++i) {
    if (row[i].name != field[i].name || row[i].array != field[i].array) return false;
  }
  return true;
}

// What makes the row's condition hold, or "" when it does not.
std::string Because(const RefusedField& row, const SplitPath& field, const std::vector<size_t>& indices,
                    const nlohmann::json& object) {
  for (size_t r = 0; r < row.split_reads.size(); ++r) {
    const SplitPath& read = row.split_reads[r];
    switch (row.when) {
      case Refusal::kLocalStorage:
        return "";  // read from the key field's instance types (evaluate.cc)
      case Refusal::kModelVariants:
        // The variants are not in an array the refused fields share, so
        // every variant counts.
        for (const FieldInstance& name : FindFieldInstances(object, read)) {
          if (!IsEmptyValue(name.value) && name.value->is_string()) {
            return name.path + " names model " + Quote(name.value->get<std::string>());
          }
        }
        break;
      case Refusal::kServerlessVariants:
        for (const FieldInstance& config : FindFieldInstances(object, read)) {
          if (!IsEmptyValue(config.value)) return config.path + " makes the variant serverless";
        }
        break;
      case Refusal::kS3ExpressOutput:
        for (std::string_view uri : FindBoundStrings(object, read, field, indices)) {
          if (IsS3ExpressUri(uri)) return std::string(row.reads[r]) + " is " + Quote(uri);
        }
        break;
    }
  }
  return "";
}

}  // namespace

std::optional<AppliedRefusal> RefusalAt(const std::vector<const RefusedField*>& rows, const SplitPath& field,
                                        const std::vector<size_t>& indices, const nlohmann::json& object) {
  for (const RefusedField* row : rows) {
    if (!Covers(row->split_path, field)) continue;
    std::string because = Because(*row, field, indices, object);
    if (!because.empty()) return AppliedRefusal{row, std::move(because)};
  }
  return std::nullopt;
}

std::string RefusalReason(const AppliedRefusal& refusal) {
  switch (refusal.row->when) {
    case Refusal::kLocalStorage:
      return "SageMaker refuses it on instance types with local NVMe storage";
    case Refusal::kModelVariants:
      return "SageMaker accepts it only on endpoint configs for inference components, and " + refusal.because +
             " (set it on the Model instead)";
    case Refusal::kServerlessVariants:
      return "serverless endpoints support no VPC, network isolation or data capture, and " + refusal.because;
    case Refusal::kS3ExpressOutput:
      return "SageMaker refuses a KMS key for S3 Express One Zone output, which it always encrypts with SSE-S3, and " +
             refusal.because;
  }
  return "";
}

}  // namespace keyward
