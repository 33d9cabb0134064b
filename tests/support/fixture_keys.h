// The tenants' default keys in the policies under tests/fixtures/policies/,
// for tests that expect them injected or accepted.
#pragma once

namespace keyward::testing {

// team-a's key in team-a-b.yaml and team-a-b-context.yaml.
inline constexpr char kTeamAKey[] = "arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab";
// team-a's key for eu-west-1 in team-a-b-context.yaml.
inline constexpr char kTeamAKeyEuWest[] =
    "arn:aws:kms:eu-west-1:111122223333:key/aaaaaaaa-3333-4000-8000-000000000001";
// team-l's key in team-a-b-context.yaml (team-l claims namespaces by label).
inline constexpr char kTeamLKey[] = "arn:aws:kms:us-east-1:111122223333:key/11111111-0000-4000-8000-000000000001";

}  // namespace keyward::testing
