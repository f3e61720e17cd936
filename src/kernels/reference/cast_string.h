// Number <-> string conversions for Cast. Numbers format like numpy's str()/repr(): floats use
// the shortest digits that round-trip in their own precision, positional for 1e-4 <= |v| < 1e16
// ("0.5", "100.0") and scientific otherwise ("1e-05", "1.5e+16"); "nan", "inf", "-inf"; bools
// are "True"/"False". Parsing accepts what strtod accepts (including "NaN", "INF", "+inf") with
// optional surrounding whitespace, and fails with InvalidArgument naming the text.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "edgerun/status.h"
#include "edgerun/tensor.h"

namespace edgerun::elementwise {

std::string FormatFloat(float v);
std::string FormatDouble(double v);
std::string FormatHalf(Half v);
std::string FormatBFloat16(BFloat16 v);

Result<double> ParseDouble(const std::string& s);
Result<float> ParseFloat(const std::string& s);
// Integers: decimal integers parse exactly (saturating when out of range); other numeric text
// such as "2.5" or "1e3" parses as a double and truncates toward zero.
Result<int64_t> ParseInt64(const std::string& s);
Result<uint64_t> ParseUInt64(const std::string& s);
// "true"/"false" in any case, otherwise a number (non-zero is true).
Result<bool> ParseBool(const std::string& s);

}  // namespace edgerun::elementwise
