// The words of an enum, once: the policy loader reads them, and messages,
// metrics and outputs print them, from the same table.
#pragma once

#include <span>
#include <string_view>

namespace keyward {

template <typename E>
struct EnumWord {
  E value;
  std::string_view word;
};

// The word of `value` (the first entry's word if the table lacks it, which a
// test rules out for every table).
template <typename E>
constexpr std::string_view WordOf(std::span<const EnumWord<E>> words, E value) {
  for (const EnumWord<E>& entry : words) {
    if (entry.value == value) return entry.word;
  }
  return words.front().word;
}

// The value whose word is `word`, if any.
template <typename E>
constexpr const E* ValueOf(std::span<const EnumWord<E>> words, std::string_view word) {
  for (const EnumWord<E>& entry : words) {
    if (entry.word == word) return &entry.value;
  }
  return nullptr;
}

}  // namespace keyward
