#include "core/subprocess.h"

#include <csignal>

#include <gtest/gtest.h>
#include <unistd.h>

namespace ballast::core {
namespace {

using std::chrono::milliseconds;

TEST(Subprocess, CapturesOutputAndExitCode) {
  auto done = run({.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"}}, milliseconds(5000));
  ASSERT_TRUE(done.has_value()) << done.error().to_string();
  EXPECT_EQ(done->out, "out\n");
  EXPECT_EQ(done->err, "err\n");
  EXPECT_EQ(done->status.code, 3);
  EXPECT_EQ(done->status.describe(), "exited with code 3");
}

TEST(Subprocess, FeedsStdinAndLargeOutputWithoutDeadlock) {
  const std::string input(1 << 20, 'x');
  auto done = run({.argv = {"cat"}}, milliseconds(10000), input);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->out.size(), input.size());
}

TEST(Subprocess, PassesEnvironmentAndWorkingDirectory) {
  Command command{.argv = {"sh", "-c", "echo \"$BALLAST_X $(pwd)\""},
                  .env = {{"BALLAST_X", "hello"}},
                  .cwd = "/tmp"};
  auto done = run(command, milliseconds(5000));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->out, "hello /tmp\n");
}

TEST(Subprocess, TimesOutAndKills) {
  auto done = run({.argv = {"sleep", "30"}}, milliseconds(200));
  ASSERT_FALSE(done.has_value());
  EXPECT_EQ(done.error().code(), ErrorCode::kTimeout);
}

TEST(Subprocess, MissingProgramIsNotFound) {
  auto done = run({.argv = {"ballast-no-such-program"}}, milliseconds(5000));
  ASSERT_FALSE(done.has_value());
  EXPECT_EQ(done.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(done.error().message().find("ballast-no-such-program"), std::string::npos);
}

TEST(Subprocess, RunCheckedQuotesStderr) {
  auto done = run_checked({.argv = {"sh", "-c", "echo 'role does not exist' >&2; exit 1"}},
                          milliseconds(5000));
  ASSERT_FALSE(done.has_value());
  EXPECT_EQ(done.error().code(), ErrorCode::kComponentFailed);
  EXPECT_EQ(done.error().message(), "'sh' exited with code 1: role does not exist");
}

TEST(Subprocess, TerminateEscalatesToKill) {
  auto process = Process::start({.argv = {"sh", "-c", "trap '' TERM; echo ready; exec sleep 30"},
                                 .stderr_mode = Stdio::kNull});
  ASSERT_TRUE(process.has_value());
  // Wait until the trap is in place, or SIGTERM alone would end it.
  char ready[6] = {};
  ASSERT_EQ(::read(process->stdout_fd(), ready, 6), 6);
  EXPECT_TRUE(process->is_running());
  const auto status = process->terminate(milliseconds(200));
  EXPECT_EQ(status.signal, SIGKILL);
  EXPECT_FALSE(process_exists(process->pid()));
}

}  // namespace
}  // namespace ballast::core
