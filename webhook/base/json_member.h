// Reading members of JSON that comes from outside the process: API server
// answers, exec credential plugin output, kubeconfigs, review bodies,
// manifests.
//
// nlohmann's value(key, default) throws when the member exists with another
// type (and when the value is not an object at all), so one odd field in an
// input would end a command with an exception instead of a message. These
// never throw: a member that is missing or of another type reads as the
// fallback, as it does when `object` is not an object.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace keyward {

// object[key] when it is a string, else `fallback`.
std::string StringMember(const nlohmann::json& object, std::string_view key, std::string_view fallback = {});

// object[key] when it is a boolean, else `fallback`.
bool BoolMember(const nlohmann::json& object, std::string_view key, bool fallback);

}  // namespace keyward
