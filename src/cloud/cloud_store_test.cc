#include "cloud/cloud_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cloud/result_testing.h"

namespace edgerun::cloud {
namespace {

using nlohmann::json;

class CloudStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("edgerun_cloud_store_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
            "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "cloud.db").string();
    auto store = CloudStore::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static Event MakeEvent(const std::string& id, const std::string& device = "dev-1", int64_t ts = 1000) {
    Event e;
    e.id = id;
    e.device_id = device;
    e.model = "m";
    e.model_version = "1";
    e.timestamp_ms = ts;
    e.json = json{{"id", id}, {"device_id", device}}.dump();
    return e;
  }
  static EventBatch Batch(std::vector<Event> events) {
    EventBatch b;
    b.events = std::move(events);
    return b;
  }
  static EventQuery Query(std::string device, std::string since_id = "", std::optional<int64_t> since_ms = {},
                          int limit = 100) {
    EventQuery q;
    q.device = std::move(device);
    q.since_id = std::move(since_id);
    q.since_ms = since_ms;
    q.limit = limit;
    return q;
  }
  std::vector<std::string> Ids(const EventQuery& q) {
    auto r = store_->QueryEvents(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> ids;
    if (r.ok()) {
      for (const auto& text : *r) ids.push_back(json::parse(text)["id"]);
    }
    return ids;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<CloudStore> store_;
};

TEST_F(CloudStoreTest, TokensAuthenticateAndAreStoredOnlyHashed) {
  auto token = store_->AddToken("dev-1", false, 5);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  auto admin = store_->AddToken("ops", true, 6);
  ASSERT_TRUE(admin.ok());

  auto p = store_->Authenticate(*token);
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->name, "dev-1");
  EXPECT_FALSE((*p)->admin);
  auto a = store_->Authenticate(*admin);
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_TRUE((*a)->admin);
  auto none = store_->Authenticate("not-a-token");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto list = store_->ListTokens();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "dev-1");
  EXPECT_EQ((*list)[1].name, "ops");
  EXPECT_TRUE((*list)[1].admin);

  store_.reset();  // checkpoint and close, then look at the raw file
  std::ifstream f(path_, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.find(*token), std::string::npos);
}

TEST_F(CloudStoreTest, RevokeRemovesEveryTokenOfAName) {
  auto t1 = store_->AddToken("dev-1", false, 1);
  auto t2 = store_->AddToken("dev-1", false, 2);
  ASSERT_TRUE(t1.ok() && t2.ok());
  EXPECT_TRUE((ValueOrFail(store_->Authenticate(*t2))).has_value());
  EXPECT_EQ(ValueOrFail(store_->RevokeTokens("dev-1")), 2);
  EXPECT_FALSE((ValueOrFail(store_->Authenticate(*t1))).has_value());
  EXPECT_EQ(ValueOrFail(store_->RevokeTokens("dev-1")), 0);
}

TEST_F(CloudStoreTest, IngestIsIdempotentById) {
  auto r1 = store_->Ingest("dev-1", Batch({MakeEvent("A"), MakeEvent("B")}), 100);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(r1->accepted, 2);
  EXPECT_EQ(r1->duplicates, 0);
  auto r2 = store_->Ingest("dev-1", Batch({MakeEvent("B"), MakeEvent("C"), MakeEvent("C")}), 200);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->accepted, 1);
  EXPECT_EQ(r2->duplicates, 2);
  EXPECT_EQ(ValueOrFail(store_->CountEvents()), 3);
  auto devices = store_->ListDevices();
  ASSERT_TRUE(devices.ok());
  ASSERT_EQ(devices->size(), 1u);
  EXPECT_EQ((*devices)[0].events, 3);
  EXPECT_EQ(*(*devices)[0].last_seen_ms, 200);
}

TEST_F(CloudStoreTest, DeviceStatusKeepsLastReportedValues) {
  ASSERT_TRUE(store_->AddToken("dev-2", false, 1).ok());
  auto devices = store_->ListDevices();
  ASSERT_EQ(devices->size(), 1u);
  EXPECT_FALSE((*devices)[0].last_seen_ms.has_value());  // registered, never seen

  EventBatch b = Batch({MakeEvent("A", "dev-2")});
  b.status = DeviceStatus{};
  b.status->outbox_depth = 12;
  b.status->outbox_bytes = 3456;
  b.status->drops_json = R"({"drop_oldest":3})";
  b.status->model_version = "7";
  ASSERT_TRUE(store_->Ingest("dev-2", b, 50).ok());
  ASSERT_TRUE(store_->Ingest("dev-2", Batch({}), 60).ok());  // heartbeat without status
  devices = store_->ListDevices();
  const DeviceRecord& d = (*devices)[0];
  EXPECT_EQ(*d.last_seen_ms, 60);
  EXPECT_EQ(*d.model, "m");
  EXPECT_EQ(*d.model_version, "7");
  EXPECT_EQ(*d.outbox_depth, 12);
  EXPECT_EQ(*d.outbox_bytes, 3456);
  EXPECT_EQ(*d.drops_json, R"({"drop_oldest":3})");
}

TEST_F(CloudStoreTest, QueriesFilterByDeviceSinceAndLimit) {
  ASSERT_TRUE(store_->Ingest("dev-1", Batch({MakeEvent("A", "dev-1", 10), MakeEvent("C", "dev-1", 30)}), 1).ok());
  ASSERT_TRUE(store_->Ingest("dev-2", Batch({MakeEvent("B", "dev-2", 20), MakeEvent("D", "dev-2", 40)}), 1).ok());
  EXPECT_EQ(Ids(Query("")), (std::vector<std::string>{"A", "B", "C", "D"}));
  EXPECT_EQ(Ids(Query("dev-2")), (std::vector<std::string>{"B", "D"}));
  EXPECT_EQ(Ids(Query("", "B")), (std::vector<std::string>{"C", "D"}));
  EXPECT_EQ(Ids(Query("", "", 30)), (std::vector<std::string>{"C", "D"}));
  EXPECT_EQ(Ids(Query("dev-1", "", 11, 5)), (std::vector<std::string>{"C"}));
  EXPECT_EQ(Ids(Query("", "", std::nullopt, 2)), (std::vector<std::string>{"A", "B"}));
  EXPECT_TRUE(Ids(Query("nobody")).empty());
}

TEST_F(CloudStoreTest, DataSurvivesReopen) {
  auto token = store_->AddToken("dev-1", false, 1);
  ASSERT_TRUE(store_->Ingest("dev-1", Batch({MakeEvent("A")}), 1).ok());
  store_.reset();
  auto reopened = CloudStore::Open(path_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(ValueOrFail((*reopened)->CountEvents()), 1);
  EXPECT_TRUE((ValueOrFail((*reopened)->Authenticate(*token))).has_value());
  auto again = (*reopened)->Ingest("dev-1", Batch({MakeEvent("A")}), 2);
  EXPECT_EQ(again->duplicates, 1);
}

TEST_F(CloudStoreTest, UsesWalAndFullSync) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST_F(CloudStoreTest, RejectsAFileThatIsNotADatabase) {
  std::string bad = (dir_ / "not.db").string();
  std::ofstream(bad) << std::string(4096, 'x');
  auto r = CloudStore::Open(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  EXPECT_NE(r.status().message().find(bad), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace edgerun::cloud
