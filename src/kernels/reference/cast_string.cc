// Number <-> string conversions for Cast (numpy-style float formatting).
#include "kernels/reference/cast_string.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "kernels/reference/elementwise_common.h"

namespace edgerun::elementwise {
namespace {

// Lays out finite non-zero `value` given its shortest scientific text "d.ddde[+-]XX": positional
// when 1e-4 <= |value| < 1e16 (numpy compares the value itself, not its shortest digits).
std::string LayoutNumpy(long double value, const std::string& sci) {
  std::string s = sci;
  bool neg = false;
  if (!s.empty() && s[0] == '-') {
    neg = true;
    s.erase(0, 1);
  }
  const size_t e = s.find_first_of("eE");
  std::string mant = e == std::string::npos ? s : s.substr(0, e);
  const int exp10 = e == std::string::npos ? 0 : std::atoi(s.c_str() + e + 1);
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits += c;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = neg ? "-" : "";
  const long double mag = value < 0 ? -value : value;
  if (mag >= 1e-4L && mag < 1e16L) {
    if (exp10 >= 0) {
      const size_t int_len = static_cast<size_t>(exp10) + 1;
      if (digits.size() <= int_len) {
        out += digits;
        out.append(int_len - digits.size(), '0');
        out += ".0";
      } else {
        out.append(digits, 0, int_len);
        out += '.';
        out.append(digits, int_len, std::string::npos);
      }
    } else {
      out += "0.";
      out.append(static_cast<size_t>(-exp10 - 1), '0');
      out += digits;
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) {
    out += '.';
    out.append(digits, 1, std::string::npos);
  }
  char buf[16];
  std::snprintf(buf, sizeof(buf), "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
  return out + buf;
}

// nan/inf/zero spelled like numpy, or empty for other values.
std::string SpecialValue(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  return "";
}

// Shortest "%.*e" text (up to max_digits significant digits) that round-trips through `back`.
template <typename Back>
std::string ShortestSci(float v, int max_digits, Back back) {
  char buf[64];
  for (int p = 1; p <= max_digits; ++p) {
    std::snprintf(buf, sizeof(buf), "%.*e", p - 1, static_cast<double>(v));
    if (back(std::strtof(buf, nullptr)) == v) break;
  }
  return buf;
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\n\r\f\v");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\n\r\f\v");
  return s.substr(b, e - b + 1);
}

Status ParseError(const std::string& s, const char* type) {
  return InvalidArgument("cannot parse string '" + (s.size() > 40 ? s.substr(0, 40) + "..." : s) + "' as " + type);
}

}  // namespace

std::string FormatDouble(double v) {
  std::string special = SpecialValue(v);
  if (!special.empty()) return special;
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  return LayoutNumpy(v, std::string(buf, res.ptr));
}

std::string FormatFloat(float v) {
  std::string special = SpecialValue(v);
  if (!special.empty()) return special;
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  return LayoutNumpy(v, std::string(buf, res.ptr));
}

std::string FormatHalf(Half v) {
  const float f = v;
  std::string special = SpecialValue(f);
  if (!special.empty()) return special;
  return LayoutNumpy(f, ShortestSci(f, 9, [](float x) { return static_cast<float>(Half(x)); }));
}

std::string FormatBFloat16(BFloat16 v) {
  const float f = v;
  std::string special = SpecialValue(f);
  if (!special.empty()) return special;
  return LayoutNumpy(f, ShortestSci(f, 9, [](float x) { return static_cast<float>(BFloat16(x)); }));
}

Result<double> ParseDouble(const std::string& s) {
  const std::string t = Trim(s);
  if (t.empty()) return ParseError(s, "double");
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size()) return ParseError(s, "double");
  return v;
}

Result<float> ParseFloat(const std::string& s) {
  const std::string t = Trim(s);
  if (t.empty()) return ParseError(s, "float");
  char* end = nullptr;
  const float v = std::strtof(t.c_str(), &end);
  if (end != t.c_str() + t.size()) return ParseError(s, "float");
  return v;
}

Result<int64_t> ParseInt64(const std::string& s) {
  const std::string t = Trim(s);
  int64_t v = 0;
  const char* b = t.c_str() + (!t.empty() && t[0] == '+' ? 1 : 0);
  const char* e = t.c_str() + t.size();
  auto res = std::from_chars(b, e, v);
  if (res.ptr == e && b != e) {
    if (res.ec == std::errc::result_out_of_range) {
      return t[0] == '-' ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
    }
    if (res.ec == std::errc()) return v;
  }
  auto d = ParseDouble(s);
  if (!d.ok()) return ParseError(s, "integer");
  return SaturateCast<int64_t>(*d);
}

Result<uint64_t> ParseUInt64(const std::string& s) {
  const std::string t = Trim(s);
  uint64_t v = 0;
  const char* b = t.c_str() + (!t.empty() && t[0] == '+' ? 1 : 0);
  const char* e = t.c_str() + t.size();
  auto res = std::from_chars(b, e, v);
  if (res.ptr == e && b != e) {
    if (res.ec == std::errc::result_out_of_range) return std::numeric_limits<uint64_t>::max();
    if (res.ec == std::errc()) return v;
  }
  if (!t.empty() && t[0] == '-') {
    // Negative text wraps like a C cast from int64.
    auto i = ParseInt64(s);
    if (!i.ok()) return i.status();
    return static_cast<uint64_t>(*i);
  }
  auto d = ParseDouble(s);
  if (!d.ok()) return ParseError(s, "unsigned integer");
  return SaturateCast<uint64_t>(*d);
}

Result<bool> ParseBool(const std::string& s) {
  std::string t = Trim(s);
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "true") return true;
  if (t == "false") return false;
  auto d = ParseDouble(s);
  if (!d.ok()) return ParseError(s, "bool");
  return *d != 0;
}

}  // namespace edgerun::elementwise
