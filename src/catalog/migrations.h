// Numbered schema migrations of the catalog; docs/formats/catalog.md describes the tables.
#pragma once

#include <span>
#include <string_view>

#include "catalog/sqlite.h"

namespace ballast::catalog {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

// Every migration, in order. Append only: never edit one that has shipped.
std::span<const Migration> migrations();

// Applies the migrations newer than the database's user_version, each in a transaction.
// kCorrupt when the database is newer than this binary knows.
core::Status migrate(Database& db);

}  // namespace ballast::catalog
