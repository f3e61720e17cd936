// Small file helpers. Thread-safety: stateless.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "edgerun/status.h"

namespace edgerun {

// Reads a whole file; IOError naming the path when it cannot be read.
Result<std::string> ReadFileToString(const std::string& path, size_t max_bytes = size_t{4} << 30);
// A whole file mapped read-only (pages shared with the page cache: no copy, no zero fill);
// unmapped when the last copy goes. data() is nullptr for an empty file.
class MappedFile {
 public:
  const char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  friend Result<MappedFile> MapFile(const std::string& path, size_t max_bytes);
  const char* data_ = nullptr;
  size_t size_ = 0;
  std::shared_ptr<void> mapping_;
};
// Maps a file; the same errors as ReadFileToString.
Result<MappedFile> MapFile(const std::string& path, size_t max_bytes = size_t{4} << 30);
// Writes via a temp file, fsync, rename, fsync of the directory.
Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace edgerun
