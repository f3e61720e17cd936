// The cloud service's durable state in one SQLite database: events (unique by id), devices and
// their last reported status, and API tokens (only their SHA-256 is stored).
// The database runs in WAL mode with synchronous=FULL: a 200 response tells the agent it may
// delete the batch from its outbox, so a commit must survive power loss, not only a crash of this
// process; one fsync per batch is cheap next to the network round trip. busy_timeout = 5 s.
// Thread-safety: all methods are thread-safe (one connection, serialized by a mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cloud/event_json.h"
#include "edgerun/status.h"

struct sqlite3;

namespace edgerun::cloud {

// Who a token belongs to.
struct Principal {
  std::string name;  // the device id (or the admin's name)
  bool admin = false;
};

struct TokenInfo {
  std::string name;
  bool admin = false;
  int64_t created_ms = 0;
};

struct IngestResult {
  int64_t accepted = 0;    // events newly stored
  int64_t duplicates = 0;  // events whose id was already stored (or repeated in the batch)
};

struct EventQuery {
  std::string device;               // empty: all devices
  std::string since_id;             // non-empty: only ids > since_id
  std::optional<int64_t> since_ms;  // only events with timestamp >= since_ms
  int limit = 100;
};

struct DeviceRecord {
  std::string device_id;
  std::optional<int64_t> last_seen_ms;
  std::optional<std::string> model;
  std::optional<std::string> model_version;
  std::optional<int64_t> outbox_depth;
  std::optional<int64_t> outbox_bytes;
  std::optional<std::string> drops_json;
  int64_t events = 0;  // events stored for the device
};

class CloudStore {
 public:
  // Opens (creating if needed) the database at `path` and brings its schema up to date.
  // Fails with IOError naming the path when it cannot be opened or is not an edgerun database.
  static Result<std::unique_ptr<CloudStore>> Open(const std::string& path);
  ~CloudStore();
  CloudStore(const CloudStore&) = delete;
  CloudStore& operator=(const CloudStore&) = delete;

  // Creates a new random token for `name` and returns it; only its hash is stored. A device
  // (non-admin) name also gets a device row. A name may hold several tokens (rotation).
  Result<std::string> AddToken(const std::string& name, bool admin, int64_t now_ms);
  // Deletes every token of `name`; returns how many were deleted.
  Result<int64_t> RevokeTokens(const std::string& name);
  // Token holders (never the tokens), ordered by name.
  Result<std::vector<TokenInfo>> ListTokens();
  // The holder of `token`, or nullopt when it is unknown.
  Result<std::optional<Principal>> Authenticate(const std::string& token);

  // Stores `batch` for `device_id` in one transaction: events not yet stored are inserted,
  // already stored ids are counted as duplicates, and the device's row is updated (last seen
  // `now_ms`, model and version from the status or the last event, outbox status). On failure
  // nothing is stored (Unavailable when the database is busy, IOError otherwise).
  Result<IngestResult> Ingest(const std::string& device_id, const EventBatch& batch, int64_t now_ms);

  // Stored events (their JSON text) matching `query`, ordered by id, at most query.limit.
  Result<std::vector<std::string>> QueryEvents(const EventQuery& query);

  // All devices (seen or with a token), ordered by id.
  Result<std::vector<DeviceRecord>> ListDevices();

  // Number of stored events.
  Result<int64_t> CountEvents();

 private:
  explicit CloudStore(sqlite3* db) : db_(db) {}
  Status Exec(const char* sql);

  std::mutex mu_;
  sqlite3* db_;
};

}  // namespace edgerun::cloud
