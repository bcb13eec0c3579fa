#include "schema.hpp"

#include <tutti/store/store_error.hpp>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <string>
#include <vector>

namespace tutti::store {
namespace {

// migrations[k] takes a store from schema version k to k + 1. Never edit a released one:
// add the next.
const std::vector<const char*> migrations = {
    // 1: runs and their agents. A run's row is written when it starts and completed when it
    // ends (summary: the JSON of its end, statistics included, without agents); its skeleton
    // (the JSON of the run before anything ran, as large as the run) has a table of its own,
    // so that completing the row does not rewrite it.
    R"(
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  ensemble TEXT NOT NULL,
  file TEXT NOT NULL,
  definition_hash TEXT NOT NULL,
  agent_hashes TEXT NOT NULL,
  input TEXT NOT NULL,
  options TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  resumed_from TEXT,
  agent_count INTEGER NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  summary TEXT
);
CREATE TABLE run_skeletons (
  run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  skeleton TEXT NOT NULL
);
CREATE INDEX runs_by_start ON runs (started_at);
CREATE INDEX runs_by_ensemble ON runs (ensemble, started_at);
CREATE TABLE agents (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  output TEXT,
  error TEXT,
  error_code TEXT,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cost_usd REAL,
  attempts INTEGER NOT NULL,
  queued_ms REAL,
  started_ms REAL,
  finished_ms REAL,
  duration_ms REAL NOT NULL,
  profile TEXT,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  backend TEXT NOT NULL,
  reused INTEGER NOT NULL,
  PRIMARY KEY (run_id, position)
) WITHOUT ROWID;
)",
    // 2: what the timeline and --include-prompts need of an agent: its waits between attempts
    // (a JSON array of {start_ms, end_ms}) and its rendered prompt, each null when none.
    R"(
ALTER TABLE agents ADD COLUMN retry_waits TEXT;
ALTER TABLE agents ADD COLUMN prompt TEXT;
)",
    // 3: whether a condition chose not to run the agent (engine::agent_result).
    R"(
ALTER TABLE agents ADD COLUMN skipped_by_condition INTEGER NOT NULL DEFAULT 0;
)",
    // 4: what an agent has beyond the columns above (a fan-out's instances, the models an agent
    // with fallbacks tried), as the run JSON gives it (engine::details_json); null when none.
    R"(
ALTER TABLE agents ADD COLUMN details TEXT;
)",
};

int read_int(SQLite::Database& db, const char* pragma) {
  SQLite::Statement query{db, pragma};
  query.executeStep();
  return query.getColumn(0).getInt();
}

} // namespace

void prepare_schema(SQLite::Database& db, const std::filesystem::path& path) {
  const int latest = static_cast<int>(migrations.size());
  // IMMEDIATE: two processes opening a new store at once must not both create it.
  SQLite::Transaction transaction{db, SQLite::TransactionBehavior::IMMEDIATE};
  const int id = read_int(db, "PRAGMA application_id");
  const int version = read_int(db, "PRAGMA user_version");
  if (id != application_id) {
    if (id != 0 || version != 0 || read_int(db, "SELECT count(*) FROM sqlite_master") != 0) {
      throw store_error{store_errc::not_a_store,
                        path.string() + ": a SQLite database of another program, not a tutti "
                                        "run store"};
    }
    db.exec("PRAGMA application_id = " + std::to_string(application_id));
  }
  if (version > latest) {
    throw store_error{store_errc::not_a_store,
                      path.string() + ": written by a newer tutti (store schema " +
                          std::to_string(version) + "; this one reads up to " +
                          std::to_string(latest) + ")"};
  }
  for (int v = version; v < latest; ++v) {
    db.exec(migrations[static_cast<std::size_t>(v)]);
  }
  if (version != latest) {
    db.exec("PRAGMA user_version = " + std::to_string(latest));
  }
  transaction.commit();
}

} // namespace tutti::store
