// The Dockerfile lint: instructions are read (continuations joined, comments skipped), then each
// rule looks at the instructions it is about.
#include "runtime/kubernetes/dockerfile_lint.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>

#include <fmt/format.h>

#include "core/text.h"

namespace ballast::runtime::kubernetes {
namespace {

struct Instruction {
  std::size_t line;
  std::string keyword;  // upper case
  std::string args;
};

std::vector<Instruction> instructions_of(std::string_view text) {
  std::vector<Instruction> out;
  std::string pending;
  std::size_t start = 0;
  std::size_t number = 0;
  for (const auto& raw : core::split(text, '\n')) {
    ++number;
    const std::string_view line = core::trim(raw);
    if (line.empty() || line.front() == '#') continue;  // also inside continuations
    if (pending.empty()) start = number;
    const bool continues = line.back() == '\\';
    pending += std::string(continues ? line.substr(0, line.size() - 1) : line) + " ";
    if (continues) continue;
    const std::string_view whole = core::trim(pending);
    const auto space = whole.find(' ');
    std::string keyword(whole.substr(0, space));
    std::transform(keyword.begin(), keyword.end(), keyword.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    out.push_back(
        {start, keyword,
         space == std::string_view::npos ? "" : std::string(core::trim(whole.substr(space)))});
    pending.clear();
  }
  return out;
}

// ${NAME} and $NAME replaced by the defaults of ARGs declared before the first FROM.
std::string substitute(std::string text, const std::map<std::string, std::string>& args) {
  for (const auto& [name, value] : args) {
    for (const std::string& form : {"${" + name + "}", "$" + name}) {
      for (auto at = text.find(form); at != std::string::npos; at = text.find(form)) {
        text.replace(at, form.size(), value);
      }
    }
  }
  return text;
}

bool is_pinned(const std::string& image) {
  if (image.find("@sha256:") != std::string::npos) return true;
  const auto slash = image.rfind('/');
  const auto colon = image.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return false;
  const std::string tag = image.substr(colon + 1);
  return tag != "latest" &&
         std::any_of(tag.begin(), tag.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

bool is_root(std::string user) {
  user = user.substr(0, user.find(':'));
  return user == "root" || user == "0";
}

void check_run(const Instruction& in, std::vector<DockerfileFinding>& out) {
  const std::string& run = in.args;
  auto add = [&](const char* rule, const char* message) {
    out.push_back({in.line, rule, message});
  };
  const bool installs = run.find("apt-get install") != std::string::npos;
  if (installs && run.find("--no-install-recommends") == std::string::npos) {
    add("apt-recommends",
        "apt-get install pulls recommended packages; add --no-install-recommends");
  }
  if (installs &&
      !std::regex_search(run, std::regex(R"(apt-get install[^&;|]*\s(-y|--yes|-[a-z]*y))"))) {
    add("apt-prompt", "apt-get install waits for an answer; add -y");
  }
  if (installs && run.find("rm -rf /var/lib/apt/lists") == std::string::npos) {
    add("apt-lists-kept",
        "the apt lists stay in the layer; end the RUN with rm -rf /var/lib/apt/lists/*");
  }
  if (run.find("apt-get update") != std::string::npos && !installs) {
    add("apt-update-alone",
        "apt-get update alone is cached apart from the install; do both in one RUN");
  }
  if (std::regex_search(run, std::regex(R"((curl|wget)[^|]*\|\s*(sudo\s+)?(ba|z|da)?sh\b)"))) {
    add("pipe-to-shell",
        "a downloaded script is run unverified; download, check its checksum, then run");
  }
  if (std::regex_search(run, std::regex(R"((^|[\s;&|])sudo\s)"))) {
    add("sudo", "sudo in a build step; use USER to switch users instead");
  }
}

void check_stage_rules(const std::vector<Instruction>& all, std::vector<DockerfileFinding>& out) {
  std::map<std::string, std::string> args;
  std::vector<std::string> stage_names;
  std::size_t stages = 0;
  std::size_t last_from = 0;
  std::string user;
  std::size_t user_line = 0;
  for (const auto& in : all) {
    if (in.keyword == "ARG" && stages == 0) {
      const auto eq = in.args.find('=');
      if (eq != std::string::npos) args[in.args.substr(0, eq)] = in.args.substr(eq + 1);
    }
    if (in.keyword == "FROM") {
      ++stages;
      last_from = in.line;
      user.clear();
      const std::vector<std::string> words = core::split(substitute(in.args, args), ' ');
      const std::string image = words.empty() ? "" : words.front();
      if (words.size() >= 3) stage_names.push_back(words[2]);
      const bool is_stage =
          std::find(stage_names.begin(), stage_names.end(), image) != stage_names.end();
      if (image != "scratch" && !is_stage && !is_pinned(image)) {
        out.push_back({in.line, "unpinned-base",
                       fmt::format("'{}' moves under you; pin a version tag or a digest", image)});
      }
    }
    if (in.keyword == "USER") {
      user = in.args;
      user_line = in.line;
    }
  }
  if (stages < 2) {
    out.push_back({last_from, "single-stage",
                   "one stage ships the build tools; build in a first stage and copy the result"});
  }
  if (stages > 0 && (user.empty() || is_root(user))) {
    out.push_back({user.empty() ? last_from : user_line, "runs-as-root",
                   "the final stage runs as root; add USER with a non-root uid"});
  }
}

}  // namespace

std::string DockerfileFinding::to_string(std::string_view file) const {
  return fmt::format("{}:{}: {}: {}", file, line, rule, message);
}

std::vector<DockerfileFinding> lint_dockerfile(std::string_view text) {
  const std::vector<Instruction> all = instructions_of(text);
  std::vector<DockerfileFinding> out;
  const std::regex secret_name(
      R"((PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY)\w*\s*[= ]\s*\S)", std::regex::icase);
  for (const auto& in : all) {
    if (in.keyword == "RUN") check_run(in, out);
    if (in.keyword == "ADD" && std::regex_search(in.args, std::regex(R"(https?://)"))) {
      out.push_back({in.line, "add-url", "ADD of a URL is not verified; download with a checksum"});
    }
    if ((in.keyword == "ENV" || in.keyword == "ARG") && std::regex_search(in.args, secret_name)) {
      out.push_back({in.line, "secret-in-env",
                     "a secret in the image's metadata; pass it at run time from a Secret"});
    }
    if ((in.keyword == "ENTRYPOINT" || in.keyword == "CMD") && !in.args.starts_with("[")) {
      out.push_back(
          {in.line, "shell-form",
           "shell form runs under /bin/sh, which does not pass signals; use [\"exec\", \"form\"]"});
    }
  }
  check_stage_rules(all, out);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.line < b.line; });
  return out;
}

}  // namespace ballast::runtime::kubernetes
