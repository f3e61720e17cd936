// NumPy .npy files (format versions 1.0-3.0, little-endian, C order) <-> Tensor.
// Thread-safety: stateless functions.
#pragma once

#include <string>

#include "edgerun/status.h"
#include "edgerun/tensor.h"

namespace edgerun {

// Parses .npy bytes; Corruption naming `what` for bad magic, header, dtype or size.
Result<Tensor> ParseNpy(const std::string& bytes, const std::string& what);
Result<Tensor> ReadNpyFile(const std::string& path);
std::string SerializeNpy(const Tensor& t);
Status WriteNpyFile(const Tensor& t, const std::string& path);

}  // namespace edgerun
