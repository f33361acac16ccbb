// Internal to the renderer: a unit's overlay for one environment, generated from the
// difference between the unit rendered for production (its base) and for that environment —
// JSON patches (RFC 6902) for objects that differ, deletions for objects the environment does
// not have, and the objects only it has. Also the kustomization.yaml files that tie it together.
#pragma once

#include <string>
#include <vector>

#include "runtime/kubernetes/document.h"
#include "runtime/kubernetes/layout.h"

namespace ballast::runtime::kubernetes {

struct ObjectId {
  std::string api_version;
  std::string kind;
  std::string name;
  friend bool operator==(const ObjectId&, const ObjectId&) = default;
};

ObjectId object_id(const Json& object);

// The string at `key` of an object; "" when absent or not a string.
std::string string_field(const Json& object, std::string_view key);

struct ObjectPatch {
  ObjectId target;
  Json operations;  // an RFC 6902 array
};

struct UnitOverlay {
  std::vector<ObjectPatch> patches;
  std::vector<ObjectId> deletions;
  std::vector<Json> additions;
  [[nodiscard]] bool is_empty() const {
    return patches.empty() && deletions.empty() && additions.empty();
  }
};

// RFC 6902 operations that turn `from` into `to`: objects are compared key by key, arrays of
// equal length element by element, anything else is replaced whole. Empty when equal.
Json json_patch(const Json& from, const Json& to);

// The overlay turning `base` into `target` (both one unit's objects).
UnitOverlay diff_unit(const std::vector<Manifest>& base, const std::vector<Manifest>& target);

// kustomization.yaml texts.
std::string base_kustomization(const std::vector<std::string>& files);
std::string unit_kustomization(const std::string& base_dir, const UnitOverlay& overlay,
                               bool has_extra_file);
std::string namespace_kustomization(const std::string& ns, const std::string& environment,
                                    const std::vector<std::string>& resources);
std::string list_kustomization(const std::vector<std::string>& resources);

}  // namespace ballast::runtime::kubernetes
