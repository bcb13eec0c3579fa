#include "schema.hpp"

#include <tutti/engine/run_json.hpp>
#include <tutti/store/run_store.hpp>

#include <nlohmann/json.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Savepoint.h>
#include <SQLiteCpp/Statement.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <map>
#include <sqlite3.h>
#include <system_error>
#include <unistd.h>

namespace tutti::store {
namespace {

using clock = std::chrono::system_clock;
using json = nlohmann::json;

std::int64_t unix_ms(clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

clock::time_point from_unix_ms(std::int64_t ms) {
  return clock::time_point{std::chrono::milliseconds{ms}};
}

std::string host_name() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

// A run row that says running is still running only while its process lives; a process on
// another host cannot be asked, so it is taken at its word.
engine::run_status live_status(const std::string& stored, std::int64_t pid,
                               const std::string& host) {
  auto status = engine::run_status_named(stored).value_or(engine::run_status::interrupted);
  if (status != engine::run_status::running || host != host_name()) {
    return status;
  }
  const bool alive = kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
  return alive && pid != 0 ? status : engine::run_status::interrupted;
}

// SQLite's refusal as the store's error. Corruption and foreign files need a person; the rest
// (read-only, full, busy for too long, I/O) means the store cannot take writes now.
store_error error_of(const SQLite::Exception& e, const std::filesystem::path& path) {
  const int code = e.getErrorCode();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return {store_errc::unwritable, path.string() + ": is a directory, not a run store file"};
  }
  if (code == SQLITE_NOTADB) {
    return {store_errc::not_a_store, path.string() + ": not a SQLite database, so no run store"};
  }
  if (code == SQLITE_CORRUPT) {
    return {store_errc::not_a_store, path.string() + ": a damaged database (" + e.what() +
                                         "); copy what you need out of "
                                         "it with sqlite3 .recover"};
  }
  if (code == SQLITE_FULL) {
    return {store_errc::unwritable, path.string() + ": the disk (or the store's size cap) is full"};
  }
  return {store_errc::unwritable, path.string() + ": " + e.what()};
}

// Runs `body`, turning SQLite's refusal into the store's error: the boundary of every method.
template <class Body>
auto guarded(const std::filesystem::path& path, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& e) {
    return error_of(e, path);
  }
}

std::optional<std::string> text_or_null(const SQLite::Column& c) {
  return c.isNull() ? std::nullopt : std::optional{c.getString()};
}

std::optional<double> real_or_null(const SQLite::Column& c) {
  return c.isNull() ? std::nullopt : std::optional{c.getDouble()};
}

// A token count: -1 is stored for one the backend did not report.
std::optional<std::int64_t> count_or_null(const SQLite::Column& c) {
  const auto count = c.getInt64();
  return count >= 0 ? std::optional{count} : std::nullopt;
}

template <class T>
void bind_optional(SQLite::Statement& s, int index, const std::optional<T>& value) {
  if (value) {
    s.bind(index, *value);
  } else {
    s.bind(index);
  }
}

void bind_text_or_null(SQLite::Statement& s, int index, const std::string& text) {
  if (text.empty()) {
    s.bind(index);
  } else {
    s.bind(index, text);
  }
}

// An agents row: its columns, and how a row's values are bound after `before` others.
constexpr std::size_t agent_columns = 24;
constexpr std::size_t rows_per_insert = 32; // an insert of many rows costs little more than one

std::string insert_agents_sql(std::size_t rows) {
  std::string sql = R"(
INSERT OR REPLACE INTO agents (run_id, position, name, status, output, error, error_code,
                               input_tokens, output_tokens, attempts, queued_ms, started_ms,
                               finished_ms, duration_ms, profile, provider, model, backend, reused,
                               cost_usd, retry_waits, prompt, skipped_by_condition, details)
VALUES )";
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(?" : ", (?";
    for (std::size_t c = 1; c < agent_columns; ++c) {
      sql += ", ?";
    }
    sql += ")";
  }
  return sql;
}

// Null when there were none.
std::optional<std::string> waits_json(const std::vector<engine::time_span>& waits) {
  if (waits.empty()) {
    return std::nullopt;
  }
  auto spans = nlohmann::json::array();
  for (const auto& w : waits) {
    spans.push_back({{"start_ms", w.start_ms}, {"end_ms", w.end_ms}});
  }
  return spans.dump();
}

std::vector<engine::time_span> waits_from(const std::optional<std::string>& text) {
  std::vector<engine::time_span> waits;
  if (!text) {
    return waits;
  }
  auto spans = nlohmann::json::parse(*text, nullptr, false);
  for (const auto& w : spans.is_array() ? spans : nlohmann::json::array()) {
    waits.push_back({w.value("start_ms", 0.0), w.value("end_ms", 0.0)});
  }
  return waits;
}

// Texts are bound without a copy: `a` outlives the statement's run.
void bind_agent(SQLite::Statement& insert, int before, const std::string& run_id,
                std::size_t position, const engine::agent_result& a) {
  int i = before;
  insert.bindNoCopy(++i, run_id);
  insert.bind(++i, static_cast<std::int64_t>(position));
  insert.bindNoCopy(++i, a.name);
  insert.bind(++i, std::string{engine::to_string(a.status)});
  if (a.status == engine::agent_status::success || a.status == engine::agent_status::partial) {
    insert.bindNoCopy(++i, a.response);
  } else {
    insert.bind(++i);
  }
  bind_text_or_null(insert, ++i, a.error);
  bind_optional(insert, ++i,
                a.error_code ? std::optional{std::string{providers::to_string(*a.error_code)}}
                             : std::nullopt);
  // -1: not reported (the column predates unknown counts and is NOT NULL).
  insert.bind(++i, a.usage.input_tokens.value_or(-1));
  insert.bind(++i, a.usage.output_tokens.value_or(-1));
  insert.bind(++i, a.attempts);
  bind_optional(insert, ++i, a.queued_ms);
  bind_optional(insert, ++i, a.started_ms);
  bind_optional(insert, ++i, a.finished_ms);
  insert.bind(++i, a.duration_ms);
  bind_text_or_null(insert, ++i, a.profile);
  insert.bindNoCopy(++i, a.provider);
  insert.bindNoCopy(++i, a.model);
  insert.bindNoCopy(++i, a.backend);
  insert.bind(++i, a.reused ? 1 : 0);
  bind_optional(insert, ++i, a.cost_usd);
  bind_optional(insert, ++i, waits_json(a.retry_waits));
  bind_optional(insert, ++i, a.prompt);
  insert.bind(++i, a.skipped_by_condition ? 1 : 0);
  bind_optional(insert, ++i, engine::details_json(a));
}

} // namespace

engine::run_result run_end_of(const engine::run_result& run) {
  engine::run_result end;
  end.id = run.id;
  end.status = run.status;
  end.elapsed_ms = run.elapsed_ms;
  end.resources = run.resources;
  end.caps = run.caps;
  return end;
}

struct run_store::impl {
  impl(std::filesystem::path p, SQLite::Database d) : path(std::move(p)), db(std::move(d)) {}

  // The one run whose id is `id_or_prefix`, or starts with it.
  store_outcome<std::string> find_id(const std::string& id_or_prefix) const {
    if (id_or_prefix.empty()) {
      return store_error{store_errc::not_found, "no run id given; see tutti runs"};
    }
    SQLite::Statement query{db, "SELECT id FROM runs WHERE id = ?1 UNION ALL "
                                "SELECT id FROM runs WHERE substr(id, 1, length(?1)) = ?1 "
                                "AND id != ?1 LIMIT 3"};
    query.bind(1, id_or_prefix);
    std::vector<std::string> ids;
    while (query.executeStep()) {
      ids.push_back(query.getColumn(0).getString());
    }
    if (!ids.empty() && ids.front() == id_or_prefix) {
      return ids.front();
    }
    if (ids.empty()) {
      return store_error{store_errc::not_found,
                         "no run " + id_or_prefix + " in " + path.string() + "; see tutti runs"};
    }
    if (ids.size() > 1) {
      return store_error{store_errc::ambiguous, "several runs in " + path.string() +
                                                    " start with " + id_or_prefix + " (" + ids[0] +
                                                    ", " + ids[1] + "...); give more of the id"};
    }
    return ids.front();
  }

  bool is_running(const std::string& id) const {
    SQLite::Statement query{db, "SELECT status, pid, host FROM runs WHERE id = ?"};
    query.bind(1, id);
    return query.executeStep() &&
           live_status(query.getColumn(0).getString(), query.getColumn(1).getInt64(),
                       query.getColumn(2).getString()) == engine::run_status::running;
  }

  std::filesystem::path path;
  mutable SQLite::Database db;
  // The insert of `rows` agents, prepared once: the hot path.
  SQLite::Statement& insert_of(std::size_t rows) {
    auto found = inserts.find(rows);
    if (found == inserts.end()) {
      found = inserts.try_emplace(rows, db, insert_agents_sql(rows)).first;
    }
    return found->second;
  }

  std::map<std::size_t, SQLite::Statement> inserts;
};

run_store::run_store(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

run_store::~run_store() = default;

store_outcome<std::unique_ptr<run_store>> run_store::open(const std::filesystem::path& path,
                                                          const store_options& options) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (!options.create && !exists) {
    return store_error{store_errc::not_found, path.string() + ": no run store here yet"};
  }
  // Opened anyway, a read-only file would get its -wal and -shm files made read-only too,
  // which would break the store after it was made writable again.
  if (exists && !std::filesystem::is_directory(path, ec) && access(path.c_str(), W_OK) != 0) {
    return store_error{store_errc::unwritable,
                       path.string() + ": read-only (make it writable to keep runs in it)"};
  }
  if (options.create && path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      return store_error{store_errc::unwritable,
                         path.string() + ": cannot create its directory (" + ec.message() + ")"};
    }
  }
  try {
    const int flags =
        SQLite::OPEN_READWRITE | (options.create ? SQLite::OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    SQLite::Database db{path.string(), flags, static_cast<int>(options.busy_timeout.count())};
    db.exec("PRAGMA foreign_keys = ON");
    prepare_schema(db, path);
    // WAL: readers never wait for the writer, and a commit is one append, which a killed
    // process keeps (NORMAL syncs at checkpoints: only a power cut can lose the last commits).
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    if (options.max_bytes > 0) {
      SQLite::Statement page_size{db, "PRAGMA page_size"};
      page_size.executeStep();
      const auto pages = options.max_bytes / page_size.getColumn(0).getInt64();
      db.exec("PRAGMA max_page_count = " + std::to_string(std::max<std::int64_t>(pages, 1)));
    }
    return std::unique_ptr<run_store>{new run_store{std::make_unique<impl>(path, std::move(db))}};
  } catch (const store_error& e) {
    return e;
  } catch (const SQLite::Exception& e) {
    return error_of(e, path);
  }
}

const std::filesystem::path& run_store::path() const {
  return impl_->path;
}

std::optional<store_error> run_store::begin_transaction() {
  return guarded(impl_->path, [&]() -> std::optional<store_error> {
    impl_->db.exec("BEGIN IMMEDIATE");
    return std::nullopt;
  });
}

std::optional<store_error> run_store::end_transaction(bool commit) {
  try {
    impl_->db.exec(commit ? "COMMIT" : "ROLLBACK");
    return std::nullopt;
  } catch (const SQLite::Exception& e) {
    impl_->db.tryExec("ROLLBACK");
    return error_of(e, impl_->path);
  }
}

std::optional<store_error> run_store::begin_run(engine::run_result run, const run_origin& origin) {
  return guarded(impl_->path, [&]() -> std::optional<store_error> {
    SQLite::Statement insert{impl_->db, R"(
INSERT INTO runs (id, ensemble, file, definition_hash, agent_hashes, input, options, status,
                  started_at, resumed_from, agent_count, pid, host)
VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?))"};
    const json options = {{"mode", engine::to_string(run.mode)},
                          {"scheduling", engine::to_string(run.scheduling)},
                          {"max_concurrent_agents", run.max_concurrent_agents}};
    int i = 0;
    insert.bind(++i, run.id);
    insert.bind(++i, run.ensemble);
    insert.bind(++i, origin.file);
    insert.bind(++i, origin.definition_hash);
    insert.bind(++i, json(origin.agent_hashes).dump());
    insert.bind(++i, run.input);
    insert.bind(++i, options.dump());
    insert.bind(++i, static_cast<std::int64_t>(unix_ms(clock::now())));
    bind_text_or_null(insert, ++i, run.resumed_from);
    insert.bind(++i, static_cast<std::int64_t>(run.agents.size()));
    insert.bind(++i, static_cast<std::int64_t>(getpid()));
    insert.bind(++i, host_name());
    // Both rows or neither, inside a writer's transaction or not.
    SQLite::Savepoint both{impl_->db, "begin_run"};
    insert.exec();
    SQLite::Statement skeleton{impl_->db,
                               "INSERT INTO run_skeletons (run_id, skeleton) VALUES (?, ?)"};
    skeleton.bind(1, run.id);
    run.input.clear(); // it has its own column: kept once, however large
    skeleton.bind(2, engine::to_json(run, -1));
    skeleton.exec();
    both.release();
    return std::nullopt;
  });
}

std::optional<store_error> run_store::save_agents(const std::string& run_id,
                                                  const std::vector<finished_agent>& agents) {
  try {
    std::size_t done = 0;
    while (done < agents.size()) {
      const auto rows = agents.size() - done >= rows_per_insert ? rows_per_insert : 1;
      auto& insert = impl_->insert_of(rows);
      for (std::size_t r = 0; r < rows; ++r) {
        const auto& a = agents[done + r];
        bind_agent(insert, static_cast<int>(r * agent_columns), run_id, a.position, a.result);
      }
      insert.exec();
      insert.reset(); // every parameter is bound anew next time
      done += rows;
    }
    return std::nullopt;
  } catch (const SQLite::Exception& e) {
    impl_->inserts.clear(); // a statement that failed half-way is not reused
    return error_of(e, impl_->path);
  }
}

std::optional<store_error> run_store::save_agent(const std::string& run_id, std::size_t position,
                                                 const engine::agent_result& agent) {
  return save_agents(run_id, {{position, agent}});
}

std::optional<store_error> run_store::finish_run(const engine::run_result& run) {
  return guarded(impl_->path, [&]() -> std::optional<store_error> {
    SQLite::Statement update{impl_->db,
                             "UPDATE runs SET status = ?, ended_at = ?, summary = ? WHERE id = ?"};
    update.bind(1, std::string{engine::to_string(run.status)});
    update.bind(2, static_cast<std::int64_t>(unix_ms(clock::now())));
    update.bind(3, engine::to_json(run_end_of(run), -1)); // small whatever the run's size
    update.bind(4, run.id);
    update.exec();
    return std::nullopt;
  });
}

store_outcome<std::vector<run_summary>> run_store::list(const run_filter& filter) const {
  return guarded(impl_->path, [&]() -> store_outcome<std::vector<run_summary>> {
    // Running and interrupted runs are both stored as running: which one is decided here.
    const bool by_liveness = filter.status && (*filter.status == engine::run_status::running ||
                                               *filter.status == engine::run_status::interrupted);
    SQLite::Statement query{impl_->db, R"(
SELECT id, ensemble, status, started_at, ended_at, agent_count, resumed_from, pid, host,
       (SELECT count(*) FROM agents WHERE run_id = runs.id AND status = 'success')
FROM runs
WHERE (?1 IS NULL OR ensemble = ?1) AND (?2 IS NULL OR status = ?2)
ORDER BY started_at DESC, id DESC
LIMIT ?3)"};
    bind_optional(query, 1, filter.ensemble);
    if (filter.status) {
      query.bind(2, by_liveness ? std::string{"running"}
                                : std::string{engine::to_string(*filter.status)});
    }
    query.bind(3, by_liveness ? std::int64_t{-1} : static_cast<std::int64_t>(filter.limit));
    std::vector<run_summary> runs;
    while (query.executeStep() && runs.size() < filter.limit) {
      run_summary s;
      s.id = query.getColumn(0).getString();
      s.ensemble = query.getColumn(1).getString();
      s.status = live_status(query.getColumn(2).getString(), query.getColumn(7).getInt64(),
                             query.getColumn(8).getString());
      if (by_liveness && s.status != *filter.status) {
        continue;
      }
      s.started_at = from_unix_ms(query.getColumn(3).getInt64());
      if (!query.getColumn(4).isNull()) {
        s.ended_at = from_unix_ms(query.getColumn(4).getInt64());
      }
      s.agents = static_cast<std::size_t>(query.getColumn(5).getInt64());
      s.resumed_from = text_or_null(query.getColumn(6)).value_or("");
      s.succeeded = static_cast<std::size_t>(query.getColumn(9).getInt64());
      runs.push_back(std::move(s));
    }
    return runs;
  });
}

store_outcome<stored_run> run_store::load(const std::string& id_or_prefix) const {
  return guarded(impl_->path, [&]() -> store_outcome<stored_run> {
    auto id = impl_->find_id(id_or_prefix);
    if (!id) {
      return id.error();
    }
    SQLite::Statement run_row{impl_->db, R"(
SELECT file, definition_hash, agent_hashes, status, started_at, pid, host, skeleton, summary,
       input
FROM runs JOIN run_skeletons ON run_skeletons.run_id = runs.id WHERE id = ?)"};
    run_row.bind(1, id.value());
    run_row.executeStep();
    stored_run out;
    out.origin.file = run_row.getColumn(0).getString();
    out.origin.definition_hash = run_row.getColumn(1).getString();
    auto hashes = json::parse(run_row.getColumn(2).getString(), nullptr, false);
    auto base = engine::run_result_from_json(run_row.getColumn(7).getString());
    std::optional<engine::run_result> end;
    if (auto text = text_or_null(run_row.getColumn(8))) {
      end = engine::run_result_from_json(*text);
    }
    if (!base || !hashes.is_array() || (!run_row.getColumn(8).isNull() && !end)) {
      return store_error{store_errc::not_a_store,
                         impl_->path.string() + ": run " + id.value() + " is damaged"};
    }
    out.origin.agent_hashes = hashes.get<std::vector<std::string>>();
    out.result = std::move(*base);
    out.result.input = run_row.getColumn(9).getString();
    if (end) {
      out.result.elapsed_ms = end->elapsed_ms;
      out.result.resources = std::move(end->resources);
      out.result.caps = std::move(end->caps);
    }
    out.result.status =
        live_status(run_row.getColumn(3).getString(), run_row.getColumn(5).getInt64(),
                    run_row.getColumn(6).getString());
    out.started_at = from_unix_ms(run_row.getColumn(4).getInt64());

    SQLite::Statement agents{impl_->db, R"(
SELECT name, status, output, error, error_code, input_tokens, output_tokens, attempts,
       queued_ms, started_ms, finished_ms, duration_ms, reused, profile, provider, model, backend,
       cost_usd, retry_waits, prompt, skipped_by_condition, details
FROM agents WHERE run_id = ?)"};
    agents.bind(1, id.value());
    auto& all = out.result.agents;
    if (out.result.status == engine::run_status::running ||
        out.result.status == engine::run_status::interrupted) {
      for (auto& a : all) { // until its row says otherwise
        a.status = engine::agent_status::pending;
        a.error = out.result.status == engine::run_status::running
                      ? "not finished yet"
                      : "not finished when its process ended";
      }
      // Running: the time so far; interrupted: up to the last agent known to have finished.
      out.result.elapsed_ms =
          out.result.status == engine::run_status::running
              ? std::chrono::duration<double, std::milli>(clock::now() - out.started_at).count()
              : 0.0;
    }
    while (agents.executeStep()) {
      const auto name = agents.getColumn(0).getString();
      auto a = std::find_if(all.begin(), all.end(), [&](const auto& x) { return x.name == name; });
      auto status = engine::agent_status_named(agents.getColumn(1).getString());
      if (a == all.end() || !status) {
        continue; // a row this run's definition does not have: nothing to show it in
      }
      a->status = *status;
      a->response = text_or_null(agents.getColumn(2)).value_or("");
      a->error = text_or_null(agents.getColumn(3)).value_or("");
      a->error_code.reset();
      if (auto code = text_or_null(agents.getColumn(4))) {
        a->error_code = providers::call_errc_named(*code);
      }
      a->usage = {count_or_null(agents.getColumn(5)), count_or_null(agents.getColumn(6))};
      a->attempts = agents.getColumn(7).getInt();
      a->queued_ms = real_or_null(agents.getColumn(8));
      a->started_ms = real_or_null(agents.getColumn(9));
      a->finished_ms = real_or_null(agents.getColumn(10));
      a->duration_ms = agents.getColumn(11).getDouble();
      a->reused = agents.getColumn(12).getInt() != 0;
      // What answered, which may not be what the definition named first.
      a->profile = text_or_null(agents.getColumn(13)).value_or("");
      a->provider = agents.getColumn(14).getString();
      a->model = agents.getColumn(15).getString();
      a->backend = agents.getColumn(16).getString();
      a->cost_usd = real_or_null(agents.getColumn(17));
      a->retry_waits = waits_from(text_or_null(agents.getColumn(18)));
      a->prompt = text_or_null(agents.getColumn(19));
      a->skipped_by_condition = agents.getColumn(20).getInt() != 0;
      if (auto details = text_or_null(agents.getColumn(21))) {
        engine::read_details_json(*details, *a);
      }
    }
    if (out.result.status == engine::run_status::interrupted) {
      for (const auto& a : all) {
        out.result.elapsed_ms = std::max(out.result.elapsed_ms, a.finished_ms.value_or(0.0));
      }
    }
    return out;
  });
}

store_outcome<std::string> run_store::remove(const std::string& id_or_prefix) {
  return guarded(impl_->path, [&]() -> store_outcome<std::string> {
    auto id = impl_->find_id(id_or_prefix);
    if (!id) {
      return id.error();
    }
    if (impl_->is_running(id.value())) {
      return store_error{store_errc::running,
                         "run " + id.value() + " is still running; remove it once it has ended"};
    }
    SQLite::Statement remove{impl_->db, "DELETE FROM runs WHERE id = ?"};
    remove.bind(1, id.value());
    remove.exec();
    return id.value();
  });
}

store_outcome<std::size_t> run_store::remove_older_than(clock::time_point cutoff) {
  return guarded(impl_->path, [&]() -> store_outcome<std::size_t> {
    // A run still going is left alone, however old: its process writes to it yet.
    SQLite::Statement old{impl_->db, "SELECT id FROM runs WHERE started_at < ?"};
    old.bind(1, static_cast<std::int64_t>(unix_ms(cutoff)));
    std::vector<std::string> ids;
    while (old.executeStep()) {
      ids.push_back(old.getColumn(0).getString());
    }
    std::size_t removed = 0;
    SQLite::Statement remove{impl_->db, "DELETE FROM runs WHERE id = ?"};
    for (const auto& id : ids) {
      if (!impl_->is_running(id)) {
        remove.bind(1, id);
        removed += static_cast<std::size_t>(remove.exec());
        remove.reset();
      }
    }
    return removed;
  });
}

} // namespace tutti::store
