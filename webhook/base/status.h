// The shell's one way to say that something failed.
//
// A Status is OK or carries what went wrong, where (a file, a flag, a field
// of a request; may be empty) and how to fix it (may be empty); ToString()
// is the one line a user reads. Result<T> is a value or a failed Status.
// Both are [[nodiscard]], so a failure cannot be dropped by accident.
// LevelDB's Status is the model. (The core reports policy files with its
// own Diagnostic, which carries a line and column; the shell passes those
// on as text.)
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace keyward {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk,
    kInvalid,  // the input is wrong (a value, a file's content, a request)
    kIoError,  // the input could not be read or written at all
  };

  Status() = default;  // OK
  static Status Ok() { return {}; }
  static Status Error(std::string what, std::string where = {}, std::string fix = {}) {
    return Make(Code::kInvalid, std::move(what), std::move(where), std::move(fix));
  }
  static Status IoError(std::string what, std::string where = {}, std::string fix = {}) {
    return Make(Code::kIoError, std::move(what), std::move(where), std::move(fix));
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& what() const { return what_; }
  const std::string& where() const { return where_; }
  const std::string& fix() const { return fix_; }

  // "where: what; fix", or "" when OK.
  std::string ToString() const {
    if (ok()) return "";
    std::string out = where_.empty() ? what_ : where_ + ": " + what_;
    if (!fix_.empty()) out += "; " + fix_;
    return out;
  }

 private:
  static Status Make(Code code, std::string what, std::string where, std::string fix) {
    Status status;
    status.code_ = code;
    status.what_ = std::move(what);
    status.where_ = std::move(where);
    status.fix_ = std::move(fix);
    return status;
  }

  Code code_ = Code::kOk;
  std::string what_;
  std::string where_;
  std::string fix_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: a value converts, as a Status does
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: must not be OK

  bool ok() const { return status_.ok() && value_.has_value(); }
  const Status& status() const { return status_; }
  // Only when ok().
  T& value() { return *value_; }
  const T& value() const { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace keyward
