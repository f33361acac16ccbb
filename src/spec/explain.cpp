#include "spec/explain.h"

#include <fmt/format.h>

#include "core/text.h"
#include "spec/model_schema.h"

namespace ballast::spec {
namespace {

nlohmann::json describe_field(const FieldDef& f, const std::string& path) {
  nlohmann::json out = {{"path", path}, {"type", f.type}, {"doc", f.doc}, {"required", f.required}};
  if (!f.fallback.empty()) out["default"] = f.fallback;
  if (!f.choices.empty()) out["choices"] = f.choices;
  return out;
}

nlohmann::json describe_object(const ObjectDef& def, const std::string& path) {
  nlohmann::json fields = nlohmann::json::array();
  for (const auto& f : def.fields) {
    fields.push_back(
        describe_field(f, path.empty() ? std::string(f.key) : path + "." + std::string(f.key)));
  }
  return {{"path", path}, {"object", def.name}, {"doc", def.doc}, {"fields", fields}};
}

}  // namespace

core::Result<nlohmann::json> explain(std::string_view path) {
  const ObjectDef* object = &schema(Tag<Spec>{});
  std::string walked;
  const auto parts = path.empty() ? std::vector<std::string>{} : core::split(path, '.');
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const FieldDef* f = object->find(parts[i]);
    if (f == nullptr) {
      std::vector<std::string_view> keys;
      for (const auto& k : object->fields) keys.push_back(k.key);
      return core::make_error(core::ErrorCode::kNotFound, "'{}' has no key '{}'{}",
                              walked.empty() ? "the spec" : walked, parts[i],
                              core::did_you_mean(parts[i], keys))
          .with_hint("Run 'ballast spec explain " + walked + "' to list the keys there.");
    }
    walked += (walked.empty() ? "" : ".") + parts[i];
    const ObjectDef* child = f->child();
    if (i + 1 == parts.size()) {
      auto out = child != nullptr ? describe_object(*child, walked) : nlohmann::json::object();
      out.update(describe_field(*f, walked));
      return out;
    }
    if (child == nullptr) {
      return core::make_error(core::ErrorCode::kNotFound, "'{}' is a {}, it has no keys", walked,
                              f->type);
    }
    object = child;
  }
  return describe_object(*object, walked);
}

std::string explain_text(const nlohmann::json& e) {
  std::string out;
  const std::string path = e.value("path", "");
  out += fmt::format("{}\n", path.empty() ? "ballast.yaml" : path);
  if (e.contains("type")) out += fmt::format("  type: {}\n", e["type"].get<std::string>());
  if (e.contains("default")) out += fmt::format("  default: {}\n", e["default"].get<std::string>());
  if (e.value("required", false)) out += "  required\n";
  out += fmt::format("  {}\n", e.value("doc", ""));
  if (e.contains("fields")) {
    out += "\nkeys:\n";
    for (const auto& f : e["fields"]) {
      const std::string key =
          f["path"].get<std::string>().substr(path.empty() ? 0 : path.size() + 1);
      std::string line = fmt::format("  {:<22} {}", key, f["doc"].get<std::string>());
      if (f.contains("default"))
        line += fmt::format(" [default: {}]", f["default"].get<std::string>());
      if (f.value("required", false)) line += " [required]";
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace ballast::spec
