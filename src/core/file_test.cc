// ReadFileToString and MapFile: contents, limits and errors that name the path.
#include "core/file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace edgerun {
namespace {

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("edgerun_file_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return (dir_ / name).string();
  }
  std::filesystem::path dir_;
};

TEST_F(FileTest, ReadAndMapGiveTheSameBytes) {
  std::string bytes(100000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
  const std::string path = Write("data.bin", bytes);
  auto read = ReadFileToString(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, bytes);
  auto mapped = MapFile(path);
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  ASSERT_EQ(mapped->size(), bytes.size());
  EXPECT_EQ(std::string(mapped->data(), mapped->size()), bytes);
  auto copy = *mapped;  // the mapping lives while any copy does
  mapped = Result<MappedFile>(MappedFile());
  EXPECT_EQ(std::string(copy.data(), copy.size()), bytes);
}

TEST_F(FileTest, EmptyFileMapsToNothing) {
  auto mapped = MapFile(Write("empty.bin", ""));
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  EXPECT_EQ(mapped->size(), 0u);
  EXPECT_EQ(mapped->data(), nullptr);
}

TEST_F(FileTest, ErrorsNameThePath) {
  const std::string big = Write("big.bin", std::string(1000, 'x'));
  for (const Status& s : {ReadFileToString(big, 999).status(), MapFile(big, 999).status()}) {
    EXPECT_EQ(s.code(), StatusCode::kIOError);
    EXPECT_NE(s.message().find("big.bin"), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find("over the limit"), std::string::npos) << s.ToString();
  }
  for (const Status& s : {ReadFileToString(dir_.string()).status(), MapFile(dir_.string()).status()}) {
    EXPECT_EQ(s.code(), StatusCode::kIOError);
    EXPECT_NE(s.message().find("is a directory"), std::string::npos) << s.ToString();
  }
  const std::string missing = (dir_ / "missing.bin").string();
  for (const Status& s : {ReadFileToString(missing).status(), MapFile(missing).status()}) {
    EXPECT_EQ(s.code(), StatusCode::kIOError);
    EXPECT_NE(s.message().find("missing.bin"), std::string::npos) << s.ToString();
  }
}

}  // namespace
}  // namespace edgerun
