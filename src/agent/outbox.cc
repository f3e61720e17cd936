// SQLite-backed outbox.
#include "agent/outbox.h"

#include <algorithm>

namespace edgerun::agent {
namespace {

// Resets a cached statement on scope exit.
struct StmtReset {
  sqlite3_stmt* stmt;
  ~StmtReset() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

}  // namespace

Result<std::unique_ptr<Outbox>> Outbox::Open(const OutboxConfig& config) {
  std::string sync;
  if (config.synchronous == "full") {
    sync = "FULL";
  } else if (config.synchronous == "normal") {
    sync = "NORMAL";
  } else {
    return InvalidArgument("outbox.synchronous: '" + config.synchronous + "' (expected \"full\" or \"normal\")");
  }
  if (config.max_events == 0 || config.max_bytes == 0) {
    return InvalidArgument("outbox.max_events and outbox.max_bytes must be > 0");
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(config.path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return IOError("outbox '" + config.path + "': " + msg);
  }
  std::unique_ptr<Outbox> box(new Outbox(db, config));
  sqlite3_busy_timeout(db, 5000);
  const std::string pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=" + sync +
                              "; PRAGMA journal_size_limit=8388608;"
                              "CREATE TABLE IF NOT EXISTS events(id TEXT PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID;";
  EDGERUN_RETURN_IF_ERROR_CTX(box->Exec(pragmas.c_str()), "outbox '" + config.path + "'");
  EDGERUN_RETURN_IF_ERROR(box->Prepare("INSERT OR IGNORE INTO events(id, body) VALUES(?, ?)", &box->insert_));
  EDGERUN_RETURN_IF_ERROR(box->Prepare("SELECT id, body FROM events ORDER BY id LIMIT ?", &box->read_oldest_));
  EDGERUN_RETURN_IF_ERROR(box->Prepare("DELETE FROM events WHERE id = ? RETURNING length(body)", &box->delete_one_));
  EDGERUN_RETURN_IF_ERROR(box->Prepare("SELECT id, length(body) FROM events ORDER BY id", &box->scan_oldest_));
  EDGERUN_RETURN_IF_ERROR(box->Prepare("DELETE FROM events WHERE id <= ?", &box->delete_upto_));
  EDGERUN_RETURN_IF_ERROR(box->Recount());
  return box;
}

Outbox::Outbox(sqlite3* db, const OutboxConfig& config) : db_(db), config_(config) {}

Outbox::~Outbox() {
  for (sqlite3_stmt* s : {insert_, read_oldest_, delete_one_, scan_oldest_, delete_upto_}) sqlite3_finalize(s);
  sqlite3_close(db_);
}

Status Outbox::Error(const std::string& what) {
  return IOError("outbox '" + config_.path + "': " + what + ": " + sqlite3_errmsg(db_));
}

Status Outbox::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return IOError(msg);
  }
  return Status::Ok();
}

Status Outbox::Prepare(const char* sql, sqlite3_stmt** stmt) {
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr) != SQLITE_OK) {
    return Error(std::string("prepare '") + sql + "'");
  }
  return Status::Ok();
}

Status Outbox::Recount() {
  sqlite3_stmt* stmt = nullptr;
  EDGERUN_RETURN_IF_ERROR(Prepare("SELECT count(*), coalesce(sum(length(body)), 0) FROM events", &stmt));
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    depth_ = static_cast<uint64_t>(sqlite3_column_int64(stmt, 0));
    bytes_ = static_cast<uint64_t>(sqlite3_column_int64(stmt, 1));
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) return Error("count rows");
  return Status::Ok();
}

void Outbox::RollbackLocked() {
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  (void)Recount();
}

Status Outbox::DropOldestLocked(uint64_t need_rows, uint64_t need_bytes, uint64_t* dropped) {
  // Frees at least need_rows rows and need_bytes bytes from the oldest end.
  StmtReset scan_reset{scan_oldest_};
  uint64_t rows = 0, freed = 0;
  std::string last;
  while ((rows < need_rows || freed < need_bytes)) {
    int rc = sqlite3_step(scan_oldest_);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return Error("scan oldest");
    last.assign(reinterpret_cast<const char*>(sqlite3_column_text(scan_oldest_, 0)));
    freed += static_cast<uint64_t>(sqlite3_column_int64(scan_oldest_, 1));
    ++rows;
  }
  sqlite3_reset(scan_oldest_);
  if (rows == 0) return Status::Ok();
  StmtReset del_reset{delete_upto_};
  sqlite3_bind_text(delete_upto_, 1, last.data(), static_cast<int>(last.size()), SQLITE_TRANSIENT);
  if (sqlite3_step(delete_upto_) != SQLITE_DONE) return Error("drop oldest");
  depth_ -= std::min(depth_, rows);
  bytes_ -= std::min(bytes_, freed);
  *dropped += rows;
  return Status::Ok();
}

Result<AppendResult> Outbox::Append(const std::vector<OutboxRow>& rows) {
  AppendResult result;
  if (rows.empty()) return result;
  std::lock_guard<std::mutex> lock(mu_);
  if (Status st = Exec("BEGIN IMMEDIATE"); !st.ok()) return st.WithContext("outbox '" + config_.path + "': begin");
  auto fail = [&](const std::string& what) -> Status {
    Status st = Error(what);
    RollbackLocked();
    return st;
  };
  for (const OutboxRow& row : rows) {
    uint64_t size = row.body.size();
    if (size > config_.max_bytes) {
      ++result.rejected_new;
      continue;
    }
    bool full = depth_ + 1 > config_.max_events || bytes_ + size > config_.max_bytes;
    if (full) {
      if (config_.policy == OutboxPolicy::kRejectNew) {
        ++result.rejected_new;
        continue;
      }
      uint64_t need_rows = depth_ + 1 > config_.max_events ? depth_ + 1 - config_.max_events : 0;
      uint64_t need_bytes = bytes_ + size > config_.max_bytes ? bytes_ + size - config_.max_bytes : 0;
      // Free a little extra so a full outbox does not rescan on every row.
      uint64_t slack_rows = std::max<uint64_t>(1, config_.max_events / 64);
      if (need_rows > 0) need_rows = std::min(depth_, need_rows + slack_rows - 1);
      if (Status st = DropOldestLocked(need_rows, need_bytes, &result.dropped_oldest); !st.ok()) {
        RollbackLocked();
        return st;
      }
    }
    StmtReset reset{insert_};
    sqlite3_bind_text(insert_, 1, row.id.data(), static_cast<int>(row.id.size()), SQLITE_STATIC);
    sqlite3_bind_blob(insert_, 2, row.body.data(), static_cast<int>(row.body.size()), SQLITE_STATIC);
    if (sqlite3_step(insert_) != SQLITE_DONE) return fail("insert " + row.id);
    if (sqlite3_changes(db_) > 0) {
      ++depth_;
      bytes_ += size;
    }
    ++result.stored;
  }
  if (Status st = Exec("COMMIT"); !st.ok()) {
    RollbackLocked();
    return st.WithContext("outbox '" + config_.path + "': commit");
  }
  return result;
}

Result<std::vector<OutboxRow>> Outbox::ReadOldest(size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<OutboxRow> rows;
  StmtReset reset{read_oldest_};
  sqlite3_bind_int64(read_oldest_, 1, static_cast<sqlite3_int64>(limit));
  for (;;) {
    int rc = sqlite3_step(read_oldest_);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return Error("read oldest");
    OutboxRow row;
    row.id.assign(reinterpret_cast<const char*>(sqlite3_column_text(read_oldest_, 0)));
    const void* blob = sqlite3_column_blob(read_oldest_, 1);
    int n = sqlite3_column_bytes(read_oldest_, 1);
    row.body.assign(static_cast<const char*>(blob), static_cast<size_t>(n));
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<uint64_t> Outbox::Delete(const std::vector<std::string>& ids) {
  if (ids.empty()) return uint64_t{0};
  std::lock_guard<std::mutex> lock(mu_);
  // A delete need not be durable: if a power cut undoes it, the events are sent again and the
  // cloud counts them as duplicates. So deletes commit without their own fsync; the next
  // synchronous=FULL commit (or checkpoint) makes them durable along with it.
  const bool relax = config_.synchronous == "full";
  if (relax) (void)Exec("PRAGMA synchronous=NORMAL");
  struct Restore {
    Outbox* box;
    bool on;
    ~Restore() {
      if (on) (void)box->Exec("PRAGMA synchronous=FULL");
    }
  } restore{this, relax};
  if (Status st = Exec("BEGIN IMMEDIATE"); !st.ok()) return st.WithContext("outbox '" + config_.path + "': begin");
  uint64_t deleted = 0, freed = 0;
  for (const std::string& id : ids) {
    StmtReset reset{delete_one_};
    sqlite3_bind_text(delete_one_, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(delete_one_)) == SQLITE_ROW) {
      ++deleted;
      freed += static_cast<uint64_t>(sqlite3_column_int64(delete_one_, 0));
    }
    if (rc != SQLITE_DONE) {
      Status st = Error("delete " + id);
      RollbackLocked();
      return st;
    }
  }
  if (Status st = Exec("COMMIT"); !st.ok()) {
    RollbackLocked();
    return st.WithContext("outbox '" + config_.path + "': commit delete");
  }
  depth_ -= std::min(depth_, deleted);
  bytes_ -= std::min(bytes_, freed);
  return deleted;
}

Result<std::string> Outbox::LastId() {
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_stmt* stmt = nullptr;
  EDGERUN_RETURN_IF_ERROR(Prepare("SELECT max(id) FROM events", &stmt));
  std::string id;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
    id.assign(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  return id;
}

uint64_t Outbox::depth() const {
  std::lock_guard<std::mutex> lock(mu_);
  return depth_;
}

uint64_t Outbox::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

}  // namespace edgerun::agent
