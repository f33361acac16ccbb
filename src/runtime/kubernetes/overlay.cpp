// Overlays from differences, and the kustomization files.
#include "runtime/kubernetes/overlay.h"

#include <algorithm>

#include "runtime/kubernetes/objects.h"

namespace ballast::runtime::kubernetes {
namespace {

constexpr std::string_view kKustomizeApi = "kustomize.config.k8s.io/v1beta1";

// A JSON Pointer reference token: '~' and '/' escaped (label keys contain '/').
std::string pointer_token(std::string_view key) {
  std::string token;
  for (const char c : key) {
    if (c == '~') {
      token += "~0";
    } else if (c == '/') {
      token += "~1";
    } else {
      token += c;
    }
  }
  return token;
}

// True when `from` and `to` have no key in common (an ipBlock peer becoming a namespace
// peer): removing and adding key by key reads worse than replacing the object.
bool shares_no_key(const Json& from, const Json& to) {
  for (const auto& [key, value] : from.items()) {
    if (to.contains(key)) return false;
  }
  return true;
}

// True when the shorter array is the start of the longer one.
bool is_prefix(const Json& shorter, const Json& longer) {
  return std::equal(shorter.begin(), shorter.end(), longer.begin());
}

void diff_objects(const Json& from, const Json& to, const std::string& path, Json& ops);

void diff_into(const Json& from, const Json& to, const std::string& path, Json& ops) {
  if (from == to) return;
  if (from.is_object() && to.is_object() && (path.empty() || !shares_no_key(from, to))) {
    diff_objects(from, to, path, ops);
    return;
  }
  if (from.is_array() && to.is_array() && from.size() == to.size()) {
    for (std::size_t i = 0; i < from.size(); ++i) {
      diff_into(from[i], to[i], path + "/" + std::to_string(i), ops);
    }
    return;
  }
  if (from.is_array() && to.is_array() && from.size() > to.size() && is_prefix(to, from)) {
    for (std::size_t i = from.size(); i-- > to.size();) {
      ops.push_back({{"op", "remove"}, {"path", path + "/" + std::to_string(i)}});
    }
    return;
  }
  if (from.is_array() && to.is_array() && from.size() < to.size() && is_prefix(from, to)) {
    for (std::size_t i = from.size(); i < to.size(); ++i) {
      ops.push_back({{"op", "add"}, {"path", path + "/-"}, {"value", to[i]}});
    }
    return;
  }
  ops.push_back({{"op", "replace"}, {"path", path}, {"value", to}});
}

void diff_objects(const Json& from, const Json& to, const std::string& path, Json& ops) {
  for (const auto& [key, value] : from.items()) {
    const std::string child = path + "/" + pointer_token(key);
    if (!to.contains(key)) {
      ops.push_back({{"op", "remove"}, {"path", child}});
    } else {
      diff_into(value, to.at(key), child, ops);
    }
  }
  for (const auto& [key, value] : to.items()) {
    if (!from.contains(key)) {
      ops.push_back({{"op", "add"}, {"path", path + "/" + pointer_token(key)}, {"value", value}});
    }
  }
}

Json kustomization_header() { return {{"apiVersion", kKustomizeApi}, {"kind", "Kustomization"}}; }

Json target_of(const ObjectId& id) {
  Json target = Json::object();
  const auto slash = id.api_version.find('/');
  if (slash != std::string::npos) target["group"] = id.api_version.substr(0, slash);
  target["version"] =
      slash == std::string::npos ? id.api_version : id.api_version.substr(slash + 1);
  target["kind"] = id.kind;
  target["name"] = id.name;
  return target;
}

const Json* find_object(const std::vector<Manifest>& manifests, const ObjectId& id) {
  for (const auto& m : manifests) {
    if (object_id(m.object) == id) return &m.object;
  }
  return nullptr;
}

}  // namespace

std::string string_field(const Json& object, std::string_view key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get_ref<const std::string&>();
}

ObjectId object_id(const Json& object) {
  const auto metadata = object.is_object() ? object.find("metadata") : object.end();
  return {string_field(object, "apiVersion"), string_field(object, "kind"),
          metadata != object.end() ? string_field(*metadata, "name") : ""};
}

Json json_patch(const Json& from, const Json& to) {
  Json ops = Json::array();
  diff_into(from, to, "", ops);
  return ops;
}

UnitOverlay diff_unit(const std::vector<Manifest>& base, const std::vector<Manifest>& target) {
  UnitOverlay overlay;
  for (const auto& m : base) {
    const ObjectId id = object_id(m.object);
    const Json* other = find_object(target, id);
    if (other == nullptr) {
      overlay.deletions.push_back(id);
      continue;
    }
    Json ops = json_patch(m.object, *other);
    if (!ops.empty()) overlay.patches.push_back({id, std::move(ops)});
  }
  for (const auto& m : target) {
    if (find_object(base, object_id(m.object)) == nullptr) overlay.additions.push_back(m.object);
  }
  return overlay;
}

std::string base_kustomization(const std::vector<std::string>& files) {
  Json k = kustomization_header();
  k["resources"] = files;
  return to_yaml(k);
}

std::string unit_kustomization(const std::string& base_dir, const UnitOverlay& overlay,
                               bool has_extra_file) {
  Json k = kustomization_header();
  k["resources"] = Json::array({base_dir});
  if (has_extra_file) k["resources"].push_back("extra.yaml");
  Json patches = Json::array();
  for (const auto& patch : overlay.patches) {
    // Quoted text: kustomize drops the last newline of a literal block inside a JSON patch.
    patches.push_back({{"target", target_of(patch.target)},
                       {"patch", to_yaml(patch.operations, TextStyle::kQuoted)}});
  }
  for (const auto& id : overlay.deletions) {
    const Json deletion = {{"$patch", "delete"},
                           {"apiVersion", id.api_version},
                           {"kind", id.kind},
                           {"metadata", {{"name", id.name}}}};
    patches.push_back({{"patch", to_yaml(deletion)}});
  }
  if (!patches.empty()) k["patches"] = std::move(patches);
  return to_yaml(k);
}

std::string namespace_kustomization(const std::string& ns, const std::string& environment,
                                    const std::vector<std::string>& resources) {
  Json k = kustomization_header();
  k["namespace"] = ns;
  Json pairs = Json::object();
  pairs[std::string(kLabelEnvironment)] = environment;
  k["labels"] = Json::array({{{"pairs", pairs}}});
  k["resources"] = resources;
  return to_yaml(k);
}

std::string list_kustomization(const std::vector<std::string>& resources) {
  Json k = kustomization_header();
  k["resources"] = resources;
  return to_yaml(k);
}

}  // namespace ballast::runtime::kubernetes
