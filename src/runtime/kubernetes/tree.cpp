// Comparing trees object by object; writing and reading them on disk.
#include "runtime/kubernetes/tree.h"

#include <algorithm>
#include <system_error>

#include <fmt/format.h>

#include "core/file.h"
#include "core/text.h"
#include "runtime/kubernetes/overlay.h"

namespace ballast::runtime::kubernetes {
namespace {

namespace fs = std::filesystem;
using Canonical = nlohmann::json;  // keys sorted: key order does not make a difference

constexpr std::size_t kMaxFields = 8;

bool is_yaml(const std::string& path) { return path.ends_with(".yaml") || path.ends_with(".yml"); }

// Who a file belongs to, from where it sits in the tree.
std::string owner_of(const std::string& path) {
  const std::vector<std::string> parts = core::split(path, '/');
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i] == "tenants") return "tenant " + parts[i + 1];
    if (parts[i] == "pools") return "pool " + parts[i + 1];
    if (parts[i] == "stacks") return "stack " + parts[i + 1];
  }
  if (parts.size() == 4 && parts[0] == "overlays") return "namespace " + parts[2];
  return "platform";
}

struct Document {
  std::string key;  // "Kind name"
  Canonical content;
};

std::vector<Document> documents_of(const std::vector<Json>& parsed) {
  std::vector<Document> documents;
  std::map<std::string, int> seen;
  for (const auto& doc : parsed) {
    const ObjectId id = object_id(doc);
    std::string key = id.kind.empty() ? "document" : id.kind;
    if (!id.name.empty()) key += " " + id.name;
    if (const int n = seen[key]++; n > 0) key += fmt::format(" #{}", n + 1);
    documents.push_back({key, Canonical::parse(doc.dump())});
  }
  return documents;
}

// "/spec/template/spec/containers/0/args" → "spec.template.spec.containers[0].args"
std::string field_of(const std::string& pointer) {
  std::string out;
  for (const auto& token : core::split(pointer.substr(1), '/')) {
    std::string key;
    for (std::size_t i = 0; i < token.size(); ++i) {
      if (token[i] == '~' && i + 1 < token.size()) {
        key += token[++i] == '1' ? '/' : '~';
      } else {
        key += token[i];
      }
    }
    const bool is_index = !key.empty() && std::all_of(key.begin(), key.end(), ::isdigit);
    out += is_index ? "[" + key + "]" : (out.empty() ? "" : ".") + key;
  }
  return out;
}

std::vector<std::string> changed_fields(const Canonical& before, const Canonical& after) {
  std::vector<std::string> fields;
  for (const auto& op : Canonical::diff(before, after)) {
    std::string field = field_of(op["path"].get<std::string>());
    if (std::find(fields.begin(), fields.end(), field) != fields.end()) continue;
    if (fields.size() == kMaxFields) {
      fields.emplace_back("...");
      break;
    }
    fields.push_back(std::move(field));
  }
  return fields;
}

void compare_yaml(const std::string& path, const std::string& before, const std::string& after,
                  std::vector<Difference>& out) {
  auto parsed_before = parse_yaml_stream(before);
  auto parsed_after = parse_yaml_stream(after);
  const std::string owner = owner_of(path);
  if (!parsed_before || !parsed_after) {
    const auto& error = parsed_before ? parsed_after.error() : parsed_before.error();
    out.push_back({ChangeKind::kChanged, path, "", owner, {error.message()}});
    return;
  }
  const std::size_t found_before = out.size();
  const std::vector<Document> old_docs = documents_of(*parsed_before);
  const std::vector<Document> new_docs = documents_of(*parsed_after);
  auto find = [](const std::vector<Document>& docs, const std::string& key) {
    return std::find_if(docs.begin(), docs.end(), [&](const Document& d) { return d.key == key; });
  };
  for (const auto& doc : old_docs) {
    const auto other = find(new_docs, doc.key);
    if (other == new_docs.end()) {
      out.push_back({ChangeKind::kRemoved, path, doc.key, owner, {}});
    } else if (other->content != doc.content) {
      out.push_back({ChangeKind::kChanged, path, doc.key, owner,
                     changed_fields(doc.content, other->content)});
    }
  }
  for (const auto& doc : new_docs) {
    if (find(old_docs, doc.key) == old_docs.end()) {
      out.push_back({ChangeKind::kAdded, path, doc.key, owner, {}});
    }
  }
  if (out.size() == found_before) {  // the text differs, the objects do not
    out.push_back({ChangeKind::kReformatted, path, "", owner, {}});
  }
}

std::string_view verb(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kAdded:
      return "added";
    case ChangeKind::kRemoved:
      return "removed";
    case ChangeKind::kReformatted:
      return "reformatted";
    default:
      return "changed";
  }
}

bool is_under_roots(const std::string& relative) {
  const std::string root = relative.substr(0, relative.find('/'));
  return std::find(kTreeRoots.begin(), kTreeRoots.end(), root) != kTreeRoots.end();
}

}  // namespace

std::vector<Difference> compare_trees(const FileMap& before, const FileMap& after) {
  std::vector<Difference> out;
  for (const auto& [path, content] : before) {
    const auto other = after.find(path);
    if (other == after.end()) {
      out.push_back({ChangeKind::kRemoved, path, "", owner_of(path), {}});
    } else if (other->second != content) {
      if (is_yaml(path)) {
        compare_yaml(path, content, other->second, out);
      } else {
        out.push_back({ChangeKind::kChanged, path, "", owner_of(path), {}});
      }
    }
  }
  for (const auto& [path, content] : after) {
    if (before.find(path) == before.end()) {
      out.push_back({ChangeKind::kAdded, path, "", owner_of(path), {}});
    }
  }
  std::sort(out.begin(), out.end(), [](const Difference& a, const Difference& b) {
    return std::tie(a.owner, a.path, a.object) < std::tie(b.owner, b.path, b.object);
  });
  return out;
}

std::string describe(const Difference& d) {
  std::string line(verb(d.kind));
  line += d.object.empty() ? " " + d.path : fmt::format(" {} ({})", d.object, d.path);
  if (!d.fields.empty()) line += ": " + core::join(d.fields, ", ");
  return line;
}

Json to_json(const Difference& d) {
  return {{"change", verb(d.kind)},
          {"path", d.path},
          {"object", d.object},
          {"owner", d.owner},
          {"fields", d.fields}};
}

std::string summarize(const std::vector<Difference>& differences) {
  std::string text;
  std::string owner;
  for (const auto& d : differences) {
    if (d.owner != owner) {
      owner = d.owner;
      text += (text.empty() ? "" : "\n") + owner + ":\n";
    }
    text += "  " + describe(d) + "\n";
  }
  return text;
}

core::Result<FileMap> read_tree(const fs::path& dir) {
  FileMap files;
  for (const auto root : kTreeRoots) {
    const fs::path top = dir / root;
    std::error_code ec;
    if (fs::is_regular_file(top, ec)) {
      BALLAST_ASSIGN_OR_RETURN(files[std::string(root)], core::read_file(top));
      continue;
    }
    if (!fs::is_directory(top, ec)) continue;
    for (auto it = fs::recursive_directory_iterator(top, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      const std::string relative = fs::relative(it->path(), dir).generic_string();
      BALLAST_ASSIGN_OR_RETURN(files[relative], core::read_file(it->path()));
    }
    if (ec) return core::errno_error(ec.value(), "listing", top);
  }
  return files;
}

core::Result<WriteOutcome> write_tree(const Tree& tree, const fs::path& dir) {
  BALLAST_TRY(core::ensure_dir(dir));
  BALLAST_ASSIGN_OR_RETURN(const FileMap existing, read_tree(dir));
  WriteOutcome outcome;
  for (const auto& [path, content] : tree.files) {
    const auto old = existing.find(path);
    if (old != existing.end() && old->second == content) {
      ++outcome.unchanged;
      continue;
    }
    const fs::path target = dir / path;
    BALLAST_TRY(core::ensure_dir(target.parent_path()));
    BALLAST_TRY(core::write_file_atomic(target, content, 0644));
    ++outcome.written;
  }
  for (const auto& [path, content] : existing) {
    if (tree.files.count(path) > 0 || !is_under_roots(path)) continue;
    std::error_code ec;
    fs::remove(dir / path, ec);
    if (ec) return core::errno_error(ec.value(), "removing", dir / path);
    ++outcome.removed;
    // Drop directories the removal left empty, up to the tree's root.
    for (fs::path parent = (dir / path).parent_path(); parent != dir && fs::is_empty(parent, ec);
         parent = parent.parent_path()) {
      fs::remove(parent, ec);
    }
  }
  return outcome;
}

}  // namespace ballast::runtime::kubernetes
