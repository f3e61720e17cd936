// Small file helpers. Thread-safety: stateless.
#pragma once

#include <string>

#include "edgerun/status.h"

namespace edgerun {

// Reads a whole file; IOError naming the path when it cannot be read.
Result<std::string> ReadFileToString(const std::string& path, size_t max_bytes = size_t{4} << 30);
// Writes via a temp file, fsync, rename, fsync of the directory.
Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace edgerun
