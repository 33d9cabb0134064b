// The properties each fuzz target checks, one function per target. The
// fuzzers (fuzz_target.cc) call them on libFuzzer's inputs; tests/hardening
// calls them on every input that once broke one, so a fixed bug stays fixed.
// Each returns normally when every property holds on the input and calls
// PropertyFailed (fuzz_check.h) otherwise; an exception escaping one is a
// bug of the code under test.
#pragma once

#include <cstddef>
#include <cstdint>

namespace keyward::fuzz {

// ParseKeyReference (fuzz_key_reference).
void CheckKeyReference(const uint8_t* data, size_t size);
// LoadPolicy (fuzz_policy_loader).
void CheckPolicyLoader(const uint8_t* data, size_t size);
// An /mutate and /validate request body (fuzz_admission_review).
void CheckAdmissionReview(const uint8_t* data, size_t size);
// Mutate's JSON Patch (fuzz_json_patch).
void CheckJsonPatch(const uint8_t* data, size_t size);
// A Pipeline's definition, JSON inside a string (fuzz_pipeline_definition).
void CheckPipelineDefinition(const uint8_t* data, size_t size);
// `keyward check`'s manifest reader (fuzz_manifest_reader).
void CheckManifestReader(const uint8_t* data, size_t size);

}  // namespace keyward::fuzz
