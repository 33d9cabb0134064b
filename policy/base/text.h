// Text helpers every message and answer uses. Whatever keyward writes must
// stay valid UTF-8 (nlohmann's dump() throws on anything else, and kubectl
// shows warnings as they are), so every cut here falls between characters.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace keyward {

// "text" in double quotes.
std::string Quote(std::string_view text);

// The largest n <= limit such that text[0, n) ends between UTF-8 characters
// (a cut never splits a multi-byte sequence).
size_t Utf8Prefix(std::string_view text, size_t limit);

// `text` shortened to at most `limit` bytes by replacing its middle with
// "...", so both the start (what) and the end (which field) stay readable.
std::string ElideMiddle(std::string_view text, size_t limit);

// `text` shortened to at most `limit` bytes, ending in "..." when cut.
std::string ElideEnd(std::string_view text, size_t limit);

// `text` with every byte that is not part of a well-formed UTF-8 sequence
// replaced by '?': for text from elsewhere (a parser's error quoting its
// input) that goes into a message.
std::string ValidUtf8(std::string_view text);

// True when `a` and `b` are equal but for the case of ASCII letters (as
// HTTP header names and media types compare; no locale is consulted).
bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b);

// `text` with its ASCII letters in lower case (no locale is consulted).
std::string AsciiLower(std::string_view text);

// The Levenshtein distance between `a` and `b` (insertions, deletions and
// substitutions of bytes): how "did you mean" hints pick the nearest name.
size_t EditDistance(std::string_view a, std::string_view b);

// The noun with its indefinite article: "an alias ARN", "a key ID".
std::string WithArticle(std::string_view noun);

// The items with `separator` between them.
std::string Join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace keyward
