// BenchReport -> the readable terminal table, and the progress bar line.
// Thread-safety: stateless functions.
#pragma once

#include <string>

#include "bench/report.h"

namespace edgerun::bench {

std::string BenchReportToText(const BenchReport& report);

// "[##########..........]  50%" for fraction in [0, 1], `width` characters of bar.
std::string ProgressBar(double fraction, int width = 30);

}  // namespace edgerun::bench
