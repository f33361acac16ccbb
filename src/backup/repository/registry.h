// Opens the repository a spec entry describes. The driver table is explicit (no
// self-registration): posix and s3, of identical shape (validate, open).
#pragma once

#include <array>
#include <memory>

#include "backup/repository/repository.h"
#include "spec/model.h"

namespace ballast::backup {

struct DriverEntry {
  spec::RepositoryType type;
  const char* name;
  core::Status (*validate)(const spec::Spec& spec, const spec::Repository& repository);
  core::Result<std::unique_ptr<Repository>> (*open)(const spec::Spec& spec,
                                                    const spec::Repository& repository);
};

const std::array<DriverEntry, 2>& drivers();

// Validates then opens. S3 credentials come from the environment variables the spec names.
core::Result<std::unique_ptr<Repository>> open_repository(const spec::Spec& spec,
                                                          const spec::Repository& repository);
core::Result<std::unique_ptr<Repository>> open_repository(const spec::Spec& spec,
                                                          const std::string& name);

}  // namespace ballast::backup
