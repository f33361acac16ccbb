// A lint for Dockerfiles that catches the obvious mistakes in the images Ballast's manifests
// run (docker/ballast, docker/odoo): root at run time, floating base images, one-stage builds,
// apt caches and recommends, secrets in ENV, curl-pipe-shell, shell-form entrypoints.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ballast::runtime::kubernetes {

struct DockerfileFinding {
  std::size_t line = 0;  // 1-based line of the instruction
  std::string rule;      // stable name, e.g. "runs-as-root"
  std::string message;   // what is wrong and what to do

  // "Dockerfile:12: runs-as-root: …"
  [[nodiscard]] std::string to_string(std::string_view file) const;
};

// The findings for `text`, in line order; empty when the Dockerfile is clean. Rules:
//   unpinned-base     FROM without a version tag or digest (or :latest)
//   single-stage      fewer than two stages: build tools end up in the image
//   runs-as-root      the final stage has no USER, or USER root/0
//   apt-recommends    apt-get install without --no-install-recommends
//   apt-prompt        apt-get install without -y
//   apt-lists-kept    apt-get install without removing /var/lib/apt/lists in the same RUN
//   apt-update-alone  apt-get update in a RUN of its own (a stale cached layer)
//   add-url           ADD of a URL (unverified download)
//   pipe-to-shell     curl/wget piped into a shell
//   sudo              sudo in a RUN
//   secret-in-env     ENV/ARG of a password, secret, token or key with a value
//   shell-form        ENTRYPOINT/CMD in shell form (signals do not reach the process)
std::vector<DockerfileFinding> lint_dockerfile(std::string_view text);

}  // namespace ballast::runtime::kubernetes
