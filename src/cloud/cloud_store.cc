// SQLite-backed CloudStore.
#include "cloud/cloud_store.h"

#include <sqlite3.h>

#include "cloud/encoding.h"

namespace edgerun::cloud {

namespace {

constexpr int kSchemaVersion = 1;

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  model TEXT NOT NULL,
  model_version TEXT NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  received_ms INTEGER NOT NULL,
  body TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_by_device ON events(device_id, id);
CREATE INDEX IF NOT EXISTS events_by_time ON events(timestamp_ms);
CREATE TABLE IF NOT EXISTS devices (
  device_id TEXT PRIMARY KEY,
  last_seen_ms INTEGER,
  model TEXT,
  model_version TEXT,
  outbox_depth INTEGER,
  outbox_bytes INTEGER,
  drops TEXT,
  events INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tokens (
  token_sha256 TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  admin INTEGER NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_by_name ON tokens(name);
)sql";

// A prepared statement, finalized on destruction.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Status status(const char* what) const {
    return rc_ == SQLITE_OK ? Status::Ok() : Internal(std::string(what) + ": " + sqlite3_errmsg(db_));
  }
  void Bind(int i, const std::string& s) { sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT); }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void BindNull(int i) { sqlite3_bind_null(stmt_, i); }
  template <typename T>
  void Bind(int i, const std::optional<T>& v) {
    if (v) {
      Bind(i, *v);
    } else {
      BindNull(i);
    }
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col)) : std::string();
  }
  std::optional<std::string> OptText(int col) const {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
    return Text(col);
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::optional<int64_t> OptInt(int col) const {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
    return Int(col);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

Status StepError(sqlite3* db, int rc, const std::string& what) {
  std::string msg = what + ": " + sqlite3_errmsg(db);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return Unavailable(msg);
  return IOError(msg);
}

// Rolls back an open transaction unless committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (open_ && !committed_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Status Begin() {
    int rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return StepError(db_, rc, "begin transaction");
    open_ = true;
    return Status::Ok();
  }
  Status Commit() {
    int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return StepError(db_, rc, "commit");
    committed_ = true;
    return Status::Ok();
  }

 private:
  sqlite3* db_;
  bool open_ = false;
  bool committed_ = false;
};

}  // namespace

Result<std::unique_ptr<CloudStore>> CloudStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return IOError("open database '" + path + "': " + msg);
  }
  std::unique_ptr<CloudStore> store(new CloudStore(db));
  sqlite3_busy_timeout(db, 5000);
  auto ctx = "database '" + path + "'";
  EDGERUN_RETURN_IF_ERROR_CTX(store->Exec("PRAGMA journal_mode=WAL"), ctx);
  EDGERUN_RETURN_IF_ERROR_CTX(store->Exec("PRAGMA synchronous=FULL"), ctx);
  EDGERUN_RETURN_IF_ERROR_CTX(store->Exec("PRAGMA foreign_keys=ON"), ctx);
  {
    Statement st(db, "PRAGMA user_version");
    EDGERUN_RETURN_IF_ERROR_CTX(st.status("read schema version"), ctx);
    int64_t version = st.Step() == SQLITE_ROW ? st.Int(0) : 0;
    if (version > kSchemaVersion) {
      return IOError(ctx + ": schema version " + std::to_string(version) + " is newer than this edgerun (" +
                     std::to_string(kSchemaVersion) + ")");
    }
  }
  EDGERUN_RETURN_IF_ERROR_CTX(store->Exec(kSchema), ctx);
  EDGERUN_RETURN_IF_ERROR_CTX(store->Exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str()), ctx);
  return store;
}

CloudStore::~CloudStore() { sqlite3_close(db_); }

Status CloudStore::Exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  // SQLITE_NOTADB and friends surface here on the first statement.
  return IOError(msg);
}

Result<std::string> CloudStore::AddToken(const std::string& name, bool admin, int64_t now_ms) {
  EDGERUN_ASSIGN_OR_RETURN(std::string token, RandomHexToken(32));
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(db_);
  EDGERUN_RETURN_IF_ERROR(tx.Begin());
  Statement ins(db_, "INSERT INTO tokens(token_sha256, name, admin, created_ms) VALUES(?, ?, ?, ?)");
  EDGERUN_RETURN_IF_ERROR(ins.status("add token"));
  ins.Bind(1, Sha256Hex(token));
  ins.Bind(2, name);
  ins.Bind(3, int64_t{admin ? 1 : 0});
  ins.Bind(4, now_ms);
  if (int rc = ins.Step(); rc != SQLITE_DONE) return StepError(db_, rc, "add token");
  if (!admin) {
    Statement dev(db_, "INSERT OR IGNORE INTO devices(device_id) VALUES(?)");
    EDGERUN_RETURN_IF_ERROR(dev.status("add device"));
    dev.Bind(1, name);
    if (int rc = dev.Step(); rc != SQLITE_DONE) return StepError(db_, rc, "add device");
  }
  EDGERUN_RETURN_IF_ERROR(tx.Commit());
  return token;
}

Result<int64_t> CloudStore::RevokeTokens(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement del(db_, "DELETE FROM tokens WHERE name = ?");
  EDGERUN_RETURN_IF_ERROR(del.status("revoke tokens"));
  del.Bind(1, name);
  if (int rc = del.Step(); rc != SQLITE_DONE) return StepError(db_, rc, "revoke tokens");
  return static_cast<int64_t>(sqlite3_changes(db_));
}

Result<std::vector<TokenInfo>> CloudStore::ListTokens() {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st(db_, "SELECT name, admin, created_ms FROM tokens ORDER BY name, created_ms");
  EDGERUN_RETURN_IF_ERROR(st.status("list tokens"));
  std::vector<TokenInfo> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back({st.Text(0), st.Int(1) != 0, st.Int(2)});
  if (rc != SQLITE_DONE) return StepError(db_, rc, "list tokens");
  return out;
}

Result<std::optional<Principal>> CloudStore::Authenticate(const std::string& token) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st(db_, "SELECT name, admin FROM tokens WHERE token_sha256 = ?");
  EDGERUN_RETURN_IF_ERROR(st.status("authenticate"));
  st.Bind(1, Sha256Hex(token));
  int rc = st.Step();
  if (rc == SQLITE_ROW) return std::optional<Principal>(Principal{st.Text(0), st.Int(1) != 0});
  if (rc != SQLITE_DONE) return StepError(db_, rc, "authenticate");
  return std::optional<Principal>();
}

Result<IngestResult> CloudStore::Ingest(const std::string& device_id, const EventBatch& batch, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(db_);
  EDGERUN_RETURN_IF_ERROR(tx.Begin());
  IngestResult result;
  Statement ins(db_,
                "INSERT OR IGNORE INTO events(id, device_id, model, model_version, timestamp_ms, received_ms, body) "
                "VALUES(?, ?, ?, ?, ?, ?, ?)");
  EDGERUN_RETURN_IF_ERROR(ins.status("insert events"));
  for (const Event& e : batch.events) {
    ins.Bind(1, e.id);
    ins.Bind(2, e.device_id);
    ins.Bind(3, e.model);
    ins.Bind(4, e.model_version);
    ins.Bind(5, e.timestamp_ms);
    ins.Bind(6, now_ms);
    ins.Bind(7, e.json);
    if (int rc = ins.Step(); rc != SQLITE_DONE) return StepError(db_, rc, "insert event '" + e.id + "'");
    if (sqlite3_changes(db_) > 0) {
      ++result.accepted;
    } else {
      ++result.duplicates;
    }
    ins.Reset();
  }
  std::optional<std::string> model, model_version;
  if (!batch.events.empty()) {
    model = batch.events.back().model;
    model_version = batch.events.back().model_version;
  }
  std::optional<int64_t> depth, bytes;
  std::optional<std::string> drops;
  if (batch.status) {
    if (batch.status->model) model = batch.status->model;
    if (batch.status->model_version) model_version = batch.status->model_version;
    depth = batch.status->outbox_depth;
    bytes = batch.status->outbox_bytes;
    drops = batch.status->drops_json;
  }
  Statement dev(db_,
                "INSERT INTO devices(device_id, last_seen_ms, model, model_version, outbox_depth, outbox_bytes, drops, events) "
                "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(device_id) DO UPDATE SET "
                "last_seen_ms = excluded.last_seen_ms, model = COALESCE(excluded.model, model), "
                "model_version = COALESCE(excluded.model_version, model_version), "
                "outbox_depth = COALESCE(excluded.outbox_depth, outbox_depth), "
                "outbox_bytes = COALESCE(excluded.outbox_bytes, outbox_bytes), drops = COALESCE(excluded.drops, drops), "
                "events = events + excluded.events");
  EDGERUN_RETURN_IF_ERROR(dev.status("update device"));
  dev.Bind(1, device_id);
  dev.Bind(2, now_ms);
  dev.Bind(3, model);
  dev.Bind(4, model_version);
  dev.Bind(5, depth);
  dev.Bind(6, bytes);
  dev.Bind(7, drops);
  dev.Bind(8, result.accepted);
  if (int rc = dev.Step(); rc != SQLITE_DONE) return StepError(db_, rc, "update device '" + device_id + "'");
  EDGERUN_RETURN_IF_ERROR(tx.Commit());
  return result;
}

Result<std::vector<std::string>> CloudStore::QueryEvents(const EventQuery& q) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st(db_,
               "SELECT body FROM events WHERE (?1 = '' OR device_id = ?1) AND (?2 = '' OR id > ?2) "
               "AND (?3 IS NULL OR timestamp_ms >= ?3) ORDER BY id LIMIT ?4");
  EDGERUN_RETURN_IF_ERROR(st.status("query events"));
  st.Bind(1, q.device);
  st.Bind(2, q.since_id);
  st.Bind(3, q.since_ms);
  st.Bind(4, int64_t{q.limit});
  std::vector<std::string> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back(st.Text(0));
  if (rc != SQLITE_DONE) return StepError(db_, rc, "query events");
  return out;
}

Result<std::vector<DeviceRecord>> CloudStore::ListDevices() {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st(db_,
               "SELECT device_id, last_seen_ms, model, model_version, outbox_depth, outbox_bytes, drops, events "
               "FROM devices ORDER BY device_id");
  EDGERUN_RETURN_IF_ERROR(st.status("list devices"));
  std::vector<DeviceRecord> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    DeviceRecord d;
    d.device_id = st.Text(0);
    d.last_seen_ms = st.OptInt(1);
    d.model = st.OptText(2);
    d.model_version = st.OptText(3);
    d.outbox_depth = st.OptInt(4);
    d.outbox_bytes = st.OptInt(5);
    d.drops_json = st.OptText(6);
    d.events = st.Int(7);
    out.push_back(std::move(d));
  }
  if (rc != SQLITE_DONE) return StepError(db_, rc, "list devices");
  return out;
}

Result<int64_t> CloudStore::CountEvents() {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st(db_, "SELECT COUNT(*) FROM events");
  EDGERUN_RETURN_IF_ERROR(st.status("count events"));
  if (int rc = st.Step(); rc != SQLITE_ROW) return StepError(db_, rc, "count events");
  return st.Int(0);
}

}  // namespace edgerun::cloud
