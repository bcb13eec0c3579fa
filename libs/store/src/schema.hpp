// The store's tables, and the migrations that bring an older file up to date.
#pragma once

#include <SQLiteCpp/Database.h>
#include <filesystem>

namespace tutti::store {

/// 'tutt': marks a SQLite file as a tutti run store (PRAGMA application_id).
constexpr int application_id = 0x74757474;

/// Makes an empty file a store, or brings a store of an older schema up to date, in one
/// transaction. Throws store_error (not_a_store) for another program's database or a newer
/// schema, and SQLite::Exception for what SQLite refuses.
void prepare_schema(SQLite::Database& db, const std::filesystem::path& path);

} // namespace tutti::store
