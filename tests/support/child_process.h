#pragma once
// A server process a test starts (an SMTP or IMAP server): spawned with its
// output appended to a log file, stopped with SIGTERM (then SIGKILL after a
// grace period) when the test is done, and killed by the kernel if the test
// process dies first (PR_SET_PDEATHSIG), so no server outlives its test.
// (The kernel ties that to the thread that started it: start servers from the
// test's own thread, not from a short-lived helper thread.)
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace omnigate::testing {

class ChildProcess {
 public:
  // argv[0] is the program's full path. Throws std::runtime_error when it
  // cannot be started.
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path);
  ~ChildProcess();  // stop()
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // False once it has exited (reaping it).
  bool running();
  // SIGTERM, up to `grace` to exit, then SIGKILL. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  pid_t pid_ = -1;
};

}  // namespace omnigate::testing
