#include "cli/main.h"

int main(int argc, char** argv) { return ballast::cli::main(argc, argv); }
