// RFC 3339 timestamps <-> milliseconds since the Unix epoch (UTC).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "edgerun/status.h"

namespace edgerun::cloud {

// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)` ('t' and 'z' accepted, fraction
// truncated to milliseconds) into milliseconds since the epoch. Fails with InvalidArgument saying
// what is wrong for anything else, including out-of-range fields (month 13, Feb 30).
Result<int64_t> ParseRfc3339Millis(std::string_view text);

// Formats as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
std::string FormatRfc3339Millis(int64_t millis);

}  // namespace edgerun::cloud
