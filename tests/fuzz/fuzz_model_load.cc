// libFuzzer target over model loading and session creation: any byte string must yield either
// a session or a Status, never a crash, hang or unbounded allocation.
#include <cstddef>
#include <cstdint>
#include <string>

#include "edgerun/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  edgerun::SessionOptions opts;
  opts.max_tensor_bytes = uint64_t{64} << 20;  // keep the fuzzer inside its RSS limit
  auto session = edgerun::Session::CreateFromBytes(bytes, opts, "/nonexistent-fuzz-dir");
  if (session.ok()) {
    (void)(*session)->inputs();
  }
  return 0;
}
