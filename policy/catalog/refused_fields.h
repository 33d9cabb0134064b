// Where SageMaker refuses a field: the configurations in which a Create call
// that sets the field fails validation, or in which the data it would
// protect cannot be on a customer key at all. One row per (kind, field,
// condition), each with the page that says so. Injection skips a refused
// field, and no violation demands it; a set refused field is reported, so
// that keyward never admits an object SageMaker will refuse without saying
// so. README "Where SageMaker refuses a field" lists the rows.
//
// Thread safety: the table is immutable data; any thread may read it.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "policy/base/enum_words.h"
#include "policy/base/field_path.h"

namespace keyward {

enum class Refusal {
  // An instance type the volume key covers has local NVMe storage, which
  // SageMaker encrypts itself. Read from each key field's own instance type
  // paths (catalog.h, KmsField::instance_type_paths).
  kLocalStorage,
  // A production variant names a model: the endpoint config is not for
  // inference components, and network isolation, the VPC and the execution
  // role belong to the Model.
  kModelVariants,
  // A production variant is serverless (serverlessConfig).
  kServerlessVariants,
  // The output goes to an S3 Express One Zone directory bucket (a bucket
  // name ending in --x-s3), which SageMaker always encrypts with SSE-S3.
  kS3ExpressOutput,
};
inline constexpr EnumWord<Refusal> kRefusalWords[] = {{Refusal::kLocalStorage, "local NVMe instance type"},
                                                      {Refusal::kModelVariants, "variants name a model"},
                                                      {Refusal::kServerlessVariants, "serverless variant"},
                                                      {Refusal::kS3ExpressOutput, "S3 Express One Zone output"}};

struct RefusedField {
  std::string_view group;
  std::string_view kind;
  // The refused field; a path also covers every field below it
  // (spec.vpcConfig covers spec.vpcConfig.subnets).
  std::string_view path;
  Refusal when;
  // What the condition reads: the variants' modelName or serverlessConfig,
  // or the output's S3 URIs. A path that shares an array prefix with `path`
  // reads the same array element. Empty for kLocalStorage.
  std::vector<std::string_view> reads;
  std::string_view source;  // the API reference or Developer Guide page

  // Filled when the table is built.
  SplitPath split_path = {};
  std::vector<SplitPath> split_reads = {};
};

// Every row, in a stable order (by group, kind, then path).
std::span<const RefusedField> RefusedFields();
// The rows of one kind.
std::vector<const RefusedField*> RefusedFieldsFor(std::string_view group, std::string_view kind);

// True for an S3 URI (s3://bucket/... or https://bucket.host/...) whose
// bucket is an S3 Express One Zone directory bucket (name ends in --x-s3).
bool IsS3ExpressUri(std::string_view uri);

}  // namespace keyward
