#include "tests/testing/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

extern char** environ;

namespace fraudgate::testing {

std::string ProcessResult::Describe() const {
  return absl::StrCat("$ ", command, "\nexit ", exit_code, "\n--- stdout\n",
                      out, "--- stderr\n", err);
}

std::string ShellQuote(const std::string& arg) {
  if (arg.size() > 120) return absl::StrCat("'", arg.substr(0, 40), "...'");
  if (!arg.empty() && arg.find_first_of(" '\"\\$;&|<>") == std::string::npos) {
    return arg;
  }
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

absl::StatusOr<pid_t> Spawn(const std::string& binary,
                            const std::vector<std::string>& args, int stdout_fd,
                            int stderr_fd, const std::string& stderr_path) {
  std::vector<std::string> argv_storage = {binary};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
  if (stderr_path.empty()) {
    posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
  pid_t pid = 0;
  const int rc =
      posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return absl::InternalError(
        absl::StrCat("posix_spawn ", binary, ": ", std::strerror(rc)));
  }
  return pid;
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

int WaitFor(pid_t pid, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (true) {
    const pid_t got = waitpid(pid, &status, WNOHANG);
    if (got == pid) return ExitCodeOf(status);
    if (got < 0 && errno != EINTR) return -1;
    if (absl::Now() > deadline) {
      ADD_FAILURE() << "process " << pid << " did not exit within " << timeout
                    << "; killing it";
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return ExitCodeOf(status);
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
}

ProcessResult RunProcess(const std::string& binary,
                         const std::vector<std::string>& args,
                         absl::Duration timeout) {
  ProcessResult result;
  std::vector<std::string> quoted;
  for (const std::string& a : args) quoted.push_back(ShellQuote(a));
  result.command =
      absl::StrCat(std::filesystem::path(binary).filename().string(), " ",
                   absl::StrJoin(quoted, " "));

  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2: " << std::strerror(errno);
    return result;
  }
  auto pid = Spawn(binary, args, out[1], err[1]);
  close(out[1]);
  close(err[1]);
  if (!pid.ok()) {
    close(out[0]);
    close(err[0]);
    ADD_FAILURE() << pid.status();
    return result;
  }
  const absl::Time deadline = absl::Now() + timeout;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    const int64_t left = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (left <= 0) {
      ADD_FAILURE() << result.command << ": still running after " << timeout;
      kill(*pid, SIGKILL);
      break;
    }
    const int n = poll(fds, 2, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      const ssize_t got = read(fds[i].fd, buf, sizeof(buf));
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (pollfd& p : fds) {
    if (p.fd >= 0) close(p.fd);
  }
  result.exit_code = WaitFor(*pid, absl::Seconds(5));
  return result;
}

absl::StatusOr<std::unique_ptr<ServeProcess>> ServeProcess::Start(
    const std::string& binary, const std::string& data_dir,
    const std::string& log_path, const std::vector<std::string>& args) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe2: ", std::strerror(errno)));
  }
  std::vector<std::string> all = {"serve", "--data=" + data_dir,
                                  "--listen=127.0.0.1:0"};
  if (std::none_of(args.begin(), args.end(), [](const std::string& arg) {
        return arg.starts_with("--tls-dir=");
      })) {
    all.push_back("--insecure");
  }
  all.insert(all.end(), args.begin(), args.end());
  auto pid = Spawn(binary, all, out[1], -1, log_path);
  close(out[1]);
  if (!pid.ok()) {
    close(out[0]);
    return pid.status();
  }
  std::unique_ptr<ServeProcess> server(
      new ServeProcess(*pid, out[0], log_path));
  // "fraudgate: serving on 127.0.0.1:PORT data=DIR list_version=N\n"
  std::string line;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (line.find('\n') == std::string::npos) {
    const int64_t left = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (left <= 0) {
      return absl::DeadlineExceededError(absl::StrCat(
          "no \"serving on\" line in 20 s; stderr:\n", server->Log()));
    }
    pollfd p = {server->stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[512];
    const ssize_t got = read(server->stdout_fd_, buf, sizeof(buf));
    if (got > 0) {
      line.append(buf, static_cast<size_t>(got));
    } else if (got == 0) {
      const int code = WaitFor(server->pid_, absl::Seconds(5));
      server->pid_ = -1;
      return absl::InternalError(absl::StrCat("serve exited with ", code,
                                              " before serving; stdout: ", line,
                                              "\nstderr:\n", server->Log()));
    }
  }
  line.resize(line.find('\n'));
  server->line_ = line;
  constexpr std::string_view kServing = "fraudgate: serving on 127.0.0.1:";
  constexpr std::string_view kVersion = " list_version=";
  const size_t version_at = line.rfind(kVersion);
  if (!line.starts_with(kServing) || version_at == std::string::npos ||
      line.find(" data=" + data_dir + " ") == std::string::npos) {
    return absl::InternalError(absl::StrCat("unexpected first line: ", line));
  }
  const std::string port = line.substr(
      kServing.size(), line.find(' ', kServing.size()) - kServing.size());
  if (!absl::SimpleAtoi(port, &server->port_) || server->port_ <= 0 ||
      !absl::SimpleAtoi(line.substr(version_at + kVersion.size()),
                        &server->list_version_at_start_)) {
    return absl::InternalError(absl::StrCat("cannot parse: ", line));
  }
  return server;
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
  }
  CloseStdout();
}

std::string ServeProcess::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

bool ServeProcess::Alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t got = waitpid(pid_, &status, WNOHANG);
  if (got == 0) return true;
  if (got == pid_) pid_ = -1;
  return false;
}

int ServeProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  const int code = WaitFor(pid_, absl::Seconds(15));
  pid_ = -1;
  CloseStdout();
  return code;
}

int ServeProcess::Kill() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGKILL);
  int status = 0;
  pid_t got;
  do {
    got = waitpid(pid_, &status, 0);
  } while (got < 0 && errno == EINTR);
  pid_ = -1;
  CloseStdout();
  return got < 0 ? -1 : ExitCodeOf(status);
}

std::string ServeProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void ServeProcess::CloseStdout() {
  if (stdout_fd_ >= 0) close(stdout_fd_);
  stdout_fd_ = -1;
}

}  // namespace fraudgate::testing
