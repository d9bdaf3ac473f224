// Child processes for tests that drive a real binary (the `fraudgate` CLI):
// spawn with posix_spawn, run to completion capturing output, wait with a
// timeout, and a `serve --insecure --listen=127.0.0.1:0` server process that
// can be stopped cleanly (SIGTERM) or killed (SIGKILL). The binary under test
// is always a parameter (tests get its path from a compile definition).
//
// Timeouts are test failures (ADD_FAILURE), reported by the caller's test.
#ifndef FRAUDGATE_TESTS_TESTING_CHILD_PROCESS_H_
#define FRAUDGATE_TESTS_TESTING_CHILD_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace fraudgate::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
  std::string command;

  // The command, exit code, stdout and stderr, for failure messages.
  std::string Describe() const;
};

// `arg` quoted for a shell, shortened when long; for messages only.
std::string ShellQuote(const std::string& arg);

// Starts `binary` with `args`; stdin is /dev/null, stdout goes to `stdout_fd`,
// stderr to `stderr_fd` or, when `stderr_path` is not empty, is appended to
// that file.
absl::StatusOr<pid_t> Spawn(const std::string& binary,
                            const std::vector<std::string>& args, int stdout_fd,
                            int stderr_fd, const std::string& stderr_path = "");

// The exit code of a waitpid status: 128 + signal when killed by a signal.
int ExitCodeOf(int wait_status);

// Waits for `pid` up to `timeout`, then fails the test and kills it. Returns
// the exit code.
int WaitFor(pid_t pid, absl::Duration timeout);

// Runs `binary args...` to completion, capturing stdout and stderr; fails the
// test and kills it after `timeout`.
ProcessResult RunProcess(const std::string& binary,
                         const std::vector<std::string>& args,
                         absl::Duration timeout = absl::Seconds(20));

// A `BINARY serve --data=DIR --insecure --listen=127.0.0.1:0` child process,
// started once it printed "fraudgate: serving on 127.0.0.1:PORT data=DIR
// list_version=N". Its stderr is appended to a log file. Killed (SIGKILL) on
// destruction if still running.
class ServeProcess {
 public:
  // `args` are added to serve's own (e.g. --cluster); with a --tls-dir=DIR
  // among them it serves mutual TLS instead of --insecure.
  static absl::StatusOr<std::unique_ptr<ServeProcess>> Start(
      const std::string& binary, const std::string& data_dir,
      const std::string& log_path, const std::vector<std::string>& args = {});

  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string address() const;
  std::string server_flag() const { return "--server=" + address(); }
  uint64_t list_version_at_start() const { return list_version_at_start_; }
  const std::string& first_line() const { return line_; }

  // Still running (not exited, not a zombie).
  bool Alive();

  // SIGTERM, then waits up to 15 s. Returns the exit code.
  int Stop();

  // SIGKILL, then waits. Returns the exit code (128 + 9 unless it had already
  // exited).
  int Kill();

  // Everything the server wrote to stderr so far.
  std::string Log() const;

 private:
  ServeProcess(pid_t pid, int stdout_fd, std::string log_path)
      : pid_(pid), stdout_fd_(stdout_fd), log_path_(std::move(log_path)) {}
  void CloseStdout();

  pid_t pid_;
  int stdout_fd_;
  std::string log_path_;
  std::string line_;
  int port_ = 0;
  uint64_t list_version_at_start_ = 0;
};

}  // namespace fraudgate::testing

#endif  // FRAUDGATE_TESTS_TESTING_CHILD_PROCESS_H_
