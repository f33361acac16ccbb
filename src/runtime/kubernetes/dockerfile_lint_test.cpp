#include "runtime/kubernetes/dockerfile_lint.h"

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "core/file.h"

namespace ballast::runtime::kubernetes {
namespace {

// A clean two-stage file; each case below breaks one thing.
constexpr std::string_view kClean = R"(ARG BASE=debian:12.10-slim
FROM ${BASE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ \
 && rm -rf /var/lib/apt/lists/*
FROM ${BASE}
COPY --from=build /out /
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/app"]
)";

std::vector<std::string> rules_of(std::string_view text) {
  std::vector<std::string> rules;
  for (const auto& finding : lint_dockerfile(text)) rules.push_back(finding.rule);
  return rules;
}

std::string with(std::string_view from, std::string_view to) {
  std::string text(kClean);
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(DockerfileLint, FindsTheObviousMistakes) {
  struct Case {
    std::string text;
    std::vector<std::string> rules;
  };
  const std::vector<Case> cases = {
      {std::string(kClean), {}},
      {with("USER 10001:10001", "USER root"), {"runs-as-root"}},
      {with("USER 10001:10001\n", ""), {"runs-as-root"}},
      {with("debian:12.10-slim", "debian:bookworm-slim"), {"unpinned-base", "unpinned-base"}},
      {with("debian:12.10-slim", "debian:latest"), {"unpinned-base", "unpinned-base"}},
      {with("debian:12.10-slim", "debian@sha256:abcd"), {}},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(rules_of(cases[i].text), cases[i].rules) << cases[i].text;
  }
  EXPECT_EQ(rules_of("FROM debian:12.10-slim\nUSER 1000\nCMD [\"x\"]\n"),
            std::vector<std::string>{"single-stage"});
  EXPECT_EQ(rules_of(with("-y --no-install-recommends", "-y")),
            std::vector<std::string>{"apt-recommends"});
  EXPECT_EQ(rules_of(with("-y --no-install-recommends", "--no-install-recommends")),
            std::vector<std::string>{"apt-prompt"});
  EXPECT_EQ(rules_of(with(" \\\n && rm -rf /var/lib/apt/lists/*", "")),
            std::vector<std::string>{"apt-lists-kept"});
  EXPECT_EQ(rules_of(with("COPY --from=build /out /", "RUN apt-get update")),
            std::vector<std::string>{"apt-update-alone"});
  EXPECT_EQ(rules_of(with("COPY --from=build /out /", "ADD https://example.com/x.tgz /x")),
            std::vector<std::string>{"add-url"});
  EXPECT_EQ(rules_of(with("COPY --from=build /out /", "RUN curl -fsSL https://x.sh | sh")),
            std::vector<std::string>{"pipe-to-shell"});
  EXPECT_EQ(rules_of(with("COPY --from=build /out /", "RUN sudo make install")),
            std::vector<std::string>{"sudo"});
  EXPECT_EQ(rules_of(with("COPY --from=build /out /", "ENV DB_PASSWORD=hunter2")),
            std::vector<std::string>{"secret-in-env"});
  EXPECT_EQ(rules_of(with("[\"/usr/local/bin/app\"]", "/usr/local/bin/app --serve")),
            std::vector<std::string>{"shell-form"});
}

TEST(DockerfileLint, FindingsNameTheLine) {
  const auto findings = lint_dockerfile(with("USER 10001:10001", "USER 0"));
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(
      findings[0].to_string("Dockerfile"),
      "Dockerfile:8: runs-as-root: the final stage runs as root; add USER with a non-root uid");
}

// The lint gate on the repository's own images.
TEST(DockerfileLint, RepositoryDockerfilesAreClean) {
  const char* dir = std::getenv("BALLAST_SOURCE_DIR");
  const std::filesystem::path root = dir != nullptr ? dir : ".";
  for (const char* image : {"ballast", "odoo"}) {
    const auto path = root / "docker" / image / "Dockerfile";
    auto text = core::read_file(path);
    ASSERT_TRUE(text.has_value()) << path;
    for (const auto& finding : lint_dockerfile(*text)) {
      ADD_FAILURE() << finding.to_string(path.string());
    }
  }
}

}  // namespace
}  // namespace ballast::runtime::kubernetes
