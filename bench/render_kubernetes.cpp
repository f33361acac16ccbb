// Rendering 1,000 tenants to the Kubernetes tree: time and output size, beside a reference
// measured in the same run — yaml-cpp emitting the same documents from ready-made nodes, i.e.
// the cost of writing that much YAML at all — so the figure is Ballast's overhead as a ratio
// (the machine is shared and noisy; absolute times drift, ratios much less).
//
//   cmake --preset release && cmake --build --preset release --target bench_render_kubernetes
//   build/release/bench/bench_render_kubernetes
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include "runtime/kubernetes/render.h"
#include "spec/loader.h"
#include "support/synthetic_spec.h"

namespace {

using ballast::runtime::kubernetes::RenderOptions;
using ballast::runtime::kubernetes::Tree;

constexpr std::size_t kTenants = 1000;

const ballast::spec::Spec& spec() {
  static const ballast::spec::Spec loaded = [] {
    auto parsed =
        ballast::spec::parse(ballast::testing::synthetic_spec_yaml(kTenants), "bench.yaml");
    if (!parsed) {
      std::fprintf(stderr, "%s\n", parsed.error().to_string().c_str());
      std::abort();
    }
    return std::move(*parsed);
  }();
  return loaded;
}

// The documents of one render as yaml-cpp nodes, built once outside the timed loops.
const std::vector<YAML::Node>& reference_documents() {
  static const std::vector<YAML::Node> nodes = [] {
    std::vector<YAML::Node> out;
    const Tree tree = ballast::runtime::kubernetes::render(spec(), RenderOptions{}).value();
    for (const auto& [path, content] : tree.files) {
      if (!path.ends_with(".yaml")) continue;
      for (auto& node : YAML::LoadAll(content)) out.push_back(std::move(node));
    }
    return out;
  }();
  return nodes;
}

void BM_RenderKubernetes(benchmark::State& state) {
  std::size_t bytes = 0;
  std::size_t files = 0;
  for (auto _ : state) {
    auto tree = ballast::runtime::kubernetes::render(spec(), RenderOptions{});
    benchmark::DoNotOptimize(tree);
    bytes = 0;
    for (const auto& [path, content] : tree->files) bytes += content.size();
    files = tree->files.size();
  }
  state.counters["tenants"] = static_cast<double>(kTenants);
  state.counters["files"] = static_cast<double>(files);
  state.counters["output_MiB"] = static_cast<double>(bytes) / (1024.0 * 1024.0);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
}

void BM_ReferenceYamlCppEmit(benchmark::State& state) {
  const auto& nodes = reference_documents();
  std::size_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    for (const auto& node : nodes) {
      YAML::Emitter out;
      out << node;
      bytes += out.size();
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["documents"] = static_cast<double>(nodes.size());
  state.counters["output_MiB"] = static_cast<double>(bytes) / (1024.0 * 1024.0);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
}

BENCHMARK(BM_RenderKubernetes)->Unit(benchmark::kMillisecond)->MinTime(3.0);
BENCHMARK(BM_ReferenceYamlCppEmit)->Unit(benchmark::kMillisecond)->MinTime(3.0);

// The console report, plus the ratio of the two benchmarks' real times.
class RatioReporter final : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) times_[run.run_name.function_name] = run.GetAdjustedRealTime();
  }
  void print_ratio() const {
    const auto render = times_.find("BM_RenderKubernetes");
    const auto reference = times_.find("BM_ReferenceYamlCppEmit");
    if (render == times_.end() || reference == times_.end() || reference->second <= 0) return;
    std::printf("\nrender of %zu tenants / yaml-cpp emitting the same documents: %.2fx\n", kTenants,
                render->second / reference->second);
  }

 private:
  std::map<std::string, double> times_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratio();
  benchmark::Shutdown();
  return 0;
}
