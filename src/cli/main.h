// The `ballast` command: parses the command line and runs one command.
#pragma once

namespace ballast::cli {

// Returns the process exit code: 0 ok, 1 failed, 2 bad input.
int main(int argc, char** argv);

}  // namespace ballast::cli
