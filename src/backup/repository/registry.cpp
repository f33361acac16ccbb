#include "backup/repository/registry.h"

#include <array>
#include <cstdlib>

#include "backup/repository/posix/posix_repository.h"
#include "backup/repository/s3/s3_repository.h"

namespace ballast::backup {
namespace {

core::Status validate_posix(const spec::Spec&, const spec::Repository& r) {
  if (r.path.empty()) {
    return core::make_error(core::ErrorCode::kInvalidArgument, "repository '{}' has no path",
                            r.name);
  }
  return core::ok();
}

core::Result<std::unique_ptr<Repository>> open_posix(const spec::Spec& spec,
                                                     const spec::Repository& r) {
  BALLAST_ASSIGN_OR_RETURN(auto repo, PosixRepository::open_root(spec.resolve(r.path)));
  return std::unique_ptr<Repository>(std::move(repo));
}

core::Result<core::Secret> from_env(const spec::Repository& r, const std::string& variable,
                                    const char* what) {
  const char* value = variable.empty() ? nullptr : std::getenv(variable.c_str());
  if (value == nullptr || *value == '\0') {
    return core::make_error(core::ErrorCode::kPreconditionFailed,
                            "repository '{}' needs its {} in the environment variable '{}'", r.name,
                            what, variable.empty() ? std::string("(none named)") : variable)
        .with_hint(
            "Set it in the daemon's environment, or name the variable in the spec "
            "(access_key_id_env, secret_access_key_env).");
  }
  return core::Secret(value);
}

core::Status validate_s3(const spec::Spec&, const spec::Repository& r) {
  if (r.endpoint.empty() || r.bucket.empty()) {
    return core::make_error(core::ErrorCode::kInvalidArgument,
                            "repository '{}' needs an endpoint and a bucket", r.name);
  }
  return core::ok();
}

core::Result<std::unique_ptr<Repository>> open_s3(const spec::Spec& spec,
                                                  const spec::Repository& r) {
  BALLAST_ASSIGN_OR_RETURN(auto key_id, from_env(r, r.access_key_id_env, "access key id"));
  BALLAST_ASSIGN_OR_RETURN(auto secret, from_env(r, r.secret_access_key_env, "secret access key"));
  s3::ClientConfig config{r.endpoint, r.region, "s3", std::move(key_id), std::move(secret)};
  config.verify_tls = r.verify_tls;
  if (!r.ca_file.empty()) config.ca_file = spec.resolve(r.ca_file).string();
  std::string prefix = r.prefix;
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  return std::unique_ptr<Repository>(new S3Repository(config, S3Location{r.bucket, prefix}));
}

}  // namespace

const std::array<DriverEntry, 2>& drivers() {
  static const std::array<DriverEntry, 2> table = {{
      {spec::RepositoryType::kPosix, "posix", validate_posix, open_posix},
      {spec::RepositoryType::kS3, "s3", validate_s3, open_s3},
  }};
  return table;
}

core::Result<std::unique_ptr<Repository>> open_repository(const spec::Spec& spec,
                                                          const spec::Repository& repository) {
  for (const auto& d : drivers()) {
    if (d.type != repository.type) continue;
    BALLAST_TRY(d.validate(spec, repository));
    return d.open(spec, repository);
  }
  return core::make_error(core::ErrorCode::kUnimplemented, "no driver for repository '{}'",
                          repository.name);
}

core::Result<std::unique_ptr<Repository>> open_repository(const spec::Spec& spec,
                                                          const std::string& name) {
  const spec::Repository* r = spec.find_repository(name);
  if (r == nullptr) {
    return core::make_error(core::ErrorCode::kNotFound, "repository '{}' is not in the spec", name)
        .with_hint("Define it under 'repositories:' in the spec.");
  }
  return open_repository(spec, *r);
}

}  // namespace ballast::backup
