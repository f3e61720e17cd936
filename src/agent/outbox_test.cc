#include "agent/outbox.h"

#include <gtest/gtest.h>

#include "agent/agent_test_util.h"

namespace edgerun::agent {
namespace {

std::vector<OutboxRow> Rows(int from, int to, size_t body_size = 10) {
  std::vector<OutboxRow> rows;
  for (int i = from; i < to; ++i) {
    char id[32];
    std::snprintf(id, sizeof(id), "ID%06d", i);
    rows.push_back({id, std::string(body_size, 'x')});
  }
  return rows;
}

TEST(OutboxTest, AppendsReadsInIdOrderAndDeletes) {
  testing::TempDir dir;
  OutboxConfig c;
  c.path = dir.Path("o.db");
  auto box = Outbox::Open(c);
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  auto rows = Rows(0, 5);
  std::swap(rows[0], rows[4]);  // insertion order does not matter, id order does
  auto r = (*box)->Append(rows);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stored, 5u);
  EXPECT_EQ((*box)->depth(), 5u);
  EXPECT_EQ((*box)->bytes(), 50u);
  auto oldest = (*box)->ReadOldest(3);
  ASSERT_TRUE(oldest.ok());
  ASSERT_EQ(oldest->size(), 3u);
  EXPECT_EQ((*oldest)[0].id, "ID000000");
  EXPECT_EQ((*oldest)[2].id, "ID000002");
  auto deleted = (*box)->Delete({"ID000000", "ID000001", "missing"});
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 2u);
  EXPECT_EQ((*box)->depth(), 3u);
  EXPECT_EQ((*box)->bytes(), 30u);
  EXPECT_EQ((*box)->LastId().value(), "ID000004");
  // Duplicate ids are ignored, not double counted.
  ASSERT_TRUE((*box)->Append(Rows(4, 5)).ok());
  EXPECT_EQ((*box)->depth(), 3u);
}

TEST(OutboxTest, CommittedRowsSurviveReopen) {
  testing::TempDir dir;
  OutboxConfig c;
  c.path = dir.Path("o.db");
  {
    auto box = Outbox::Open(c);
    ASSERT_TRUE(box.ok());
    ASSERT_TRUE((*box)->Append(Rows(0, 100)).ok());
  }
  auto box = Outbox::Open(c);
  ASSERT_TRUE(box.ok());
  EXPECT_EQ((*box)->depth(), 100u);
  EXPECT_EQ((*box)->bytes(), 1000u);
}

TEST(OutboxTest, DropOldestKeepsTheNewestWithinBounds) {
  testing::TempDir dir;
  OutboxConfig c;
  c.path = dir.Path("o.db");
  c.max_events = 10;
  auto box = Outbox::Open(c);
  ASSERT_TRUE(box.ok());
  ASSERT_TRUE((*box)->Append(Rows(0, 10)).ok());
  auto r = (*box)->Append(Rows(10, 13));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stored, 3u);
  EXPECT_EQ(r->dropped_oldest, 3u);
  EXPECT_LE((*box)->depth(), 10u);
  auto oldest = (*box)->ReadOldest(1);
  EXPECT_EQ((*oldest)[0].id, "ID000003");
  EXPECT_EQ((*box)->LastId().value(), "ID000012");
}

TEST(OutboxTest, DropOldestBoundsBytes) {
  testing::TempDir dir;
  OutboxConfig c;
  c.path = dir.Path("o.db");
  c.max_bytes = 100;
  auto box = Outbox::Open(c);
  ASSERT_TRUE(box.ok());
  auto r = (*box)->Append(Rows(0, 25, 10));
  ASSERT_TRUE(r.ok());
  EXPECT_LE((*box)->bytes(), 100u);
  EXPECT_EQ(r->dropped_oldest, 15u);
  auto big = (*box)->Append({{"ZZ", std::string(101, 'y')}});
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->rejected_new, 1u);  // larger than the whole outbox
}

TEST(OutboxTest, RejectNewKeepsTheOldest) {
  testing::TempDir dir;
  OutboxConfig c;
  c.path = dir.Path("o.db");
  c.max_events = 10;
  c.policy = OutboxPolicy::kRejectNew;
  auto box = Outbox::Open(c);
  ASSERT_TRUE(box.ok());
  auto r = (*box)->Append(Rows(0, 15));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stored, 10u);
  EXPECT_EQ(r->rejected_new, 5u);
  EXPECT_EQ((*box)->LastId().value(), "ID000009");
}

TEST(OutboxTest, BadConfigAndUnwritablePathFail) {
  OutboxConfig c;
  c.path = "/nonexistent-dir/o.db";
  auto box = Outbox::Open(c);
  ASSERT_FALSE(box.ok());
  EXPECT_NE(box.status().message().find("/nonexistent-dir/o.db"), std::string::npos);
  c.synchronous = "sometimes";
  EXPECT_EQ(Outbox::Open(c).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edgerun::agent
