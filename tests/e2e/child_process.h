// A program run as a background child process by an end-to-end test (`vivasim serve`,
// `vivalink serve`): stdout and stderr go to files beside the test's data, stdin is /dev/null.
// Stop() (and the destructor) sends SIGTERM to its PID, waits up to 10 s, then SIGKILLs; the
// child also gets SIGTERM if the test process dies (PR_SET_PDEATHSIG), so no server outlives
// the test.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "testutil.h"

namespace vivalink::testutil {

class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { Stop(); }

  // Starts argv (argv[0] is a path); output goes to <log_prefix>.out / .err.
  ::testing::AssertionResult Start(std::vector<std::string> argv,
                                   const std::filesystem::path& log_prefix) {
    if (pid_ > 0) return ::testing::AssertionFailure() << "already running";
    out_path_ = log_prefix.string() + ".out";
    err_path_ = log_prefix.string() + ".err";
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) return ::testing::AssertionFailure() << "fork failed";
    if (pid == 0) {
      // Only async-signal-safe calls between fork and exec.
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(126);
      int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int in = open("/dev/null", O_RDONLY);
      if (out < 0 || err < 0 || in < 0) _exit(126);
      dup2(in, 0);
      dup2(out, 1);
      dup2(err, 2);
      execv(args[0], args.data());
      _exit(127);
    }
    pid_ = pid;
    return ::testing::AssertionSuccess();
  }

  // True while the child runs; reaps it (and remembers its exit code) once it has exited.
  bool Running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      pid_ = -1;
      return false;
    }
    return true;
  }

  // SIGTERM, then SIGKILL after 10 s. Returns the exit code (-signal when killed), or the code
  // of a child that had already exited, or nullopt when none was started.
  std::optional<int> Stop() {
    if (pid_ <= 0) return exit_code_;
    kill(pid_, SIGTERM);
    int status = 0;
    bool exited = false;
    for (int i = 0; i < 500 && !exited; ++i) {
      exited = waitpid(pid_, &status, WNOHANG) == pid_;
      if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!exited) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    return exit_code_;
  }

  // Forgets the exit code of a stopped child (the next Stop() returns nullopt).
  void Forget() { exit_code_.reset(); }

  pid_t pid() const { return pid_; }
  std::string stdout_text() const { return Slurp(out_path_); }
  std::string stderr_text() const { return Slurp(err_path_); }

  static std::string Slurp(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return {};
    return ReadFile(path);
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string out_path_, err_path_;
};

}  // namespace vivalink::testutil
