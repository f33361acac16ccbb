// The commented starter spec written by `ballast init`.
#pragma once

#include <string_view>

namespace ballast::cli {

std::string_view starter_spec();

}  // namespace ballast::cli
