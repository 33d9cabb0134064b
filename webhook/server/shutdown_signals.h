// SIGTERM and SIGINT as synchronous events: blocked in every thread and
// collected by the main thread with sigtimedwait, so shutdown runs as plain
// code rather than inside a signal handler.
#pragma once

#include <chrono>
#include <optional>

namespace keyward {

// Blocks SIGTERM and SIGINT in the calling thread and in every thread it
// starts afterwards; ignores SIGPIPE (a peer closing mid-write must not kill
// the server). Call before starting any thread.
void BlockShutdownSignals();

// Waits for SIGTERM or SIGINT, at most `timeout` when given. Returns the
// signal number, or 0 when the timeout passed first.
int WaitForShutdownSignal(std::optional<std::chrono::milliseconds> timeout);

// Makes WaitForShutdownSignal return, e.g. when a server thread fails.
void RequestShutdown();

}  // namespace keyward
