// Outbox: the durable store-and-forward queue of routed events, a SQLite database in WAL mode.
// Rows are (id, body) with id a ULID, so "ORDER BY id" is creation order. A committed Append
// survives process crashes; with synchronous = "full" it also survives power loss (each commit
// fsyncs the WAL). The outbox is bounded by row count and payload bytes; when a batch does not
// fit, the policy decides: drop_oldest deletes the oldest rows, reject_new refuses the newest.
// Thread-safety: all methods are internally serialized (one connection, one mutex); safe from
// any thread.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "edgerun/agent.h"
#include "edgerun/status.h"

namespace edgerun::agent {

struct OutboxRow {
  std::string id;
  std::string body;
};

struct AppendResult {
  uint64_t stored = 0;          // rows of the batch now on disk
  uint64_t dropped_oldest = 0;  // older rows deleted to make room (drop_oldest)
  uint64_t rejected_new = 0;    // rows of the batch refused (reject_new, or larger than max_bytes)
};

class Outbox {
 public:
  // Opens or creates the database at config.path (its directory must exist). IOError naming
  // the path when SQLite fails; InvalidArgument for a bad `synchronous` value.
  static Result<std::unique_ptr<Outbox>> Open(const OutboxConfig& config);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Inserts the rows in one transaction, applying the bounds. Rows whose id already exists are
  // ignored (counted as stored). On error nothing of the batch is committed.
  Result<AppendResult> Append(const std::vector<OutboxRow>& rows);
  // Up to `limit` of the oldest rows, in id order.
  Result<std::vector<OutboxRow>> ReadOldest(size_t limit);
  // Deletes rows by id (one transaction); returns how many existed.
  Result<uint64_t> Delete(const std::vector<std::string>& ids);
  // The largest id stored, or "" when empty.
  Result<std::string> LastId();

  uint64_t depth() const;
  uint64_t bytes() const;

 private:
  Outbox(sqlite3* db, const OutboxConfig& config);
  Status Exec(const char* sql);
  Status Prepare(const char* sql, sqlite3_stmt** stmt);
  Status Error(const std::string& what);
  Status Recount();
  Status DropOldestLocked(uint64_t need_rows, uint64_t need_bytes, uint64_t* dropped);
  void RollbackLocked();

  mutable std::mutex mu_;
  sqlite3* db_;
  OutboxConfig config_;
  uint64_t depth_ = 0;
  uint64_t bytes_ = 0;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* read_oldest_ = nullptr;
  sqlite3_stmt* delete_one_ = nullptr;
  sqlite3_stmt* scan_oldest_ = nullptr;
  sqlite3_stmt* delete_upto_ = nullptr;
};

}  // namespace edgerun::agent
