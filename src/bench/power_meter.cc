#include "bench/power_meter.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace edgerun::bench {

namespace {

namespace fs = std::filesystem;

// Reads the first line of a sysfs file; IOError carrying strerror (e.g. permission denied).
Result<std::string> ReadLine(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return IOError(p.string() + ": " + std::strerror(errno));
  std::string line;
  std::getline(in, line);
  if (in.bad()) return IOError(p.string() + ": read failed");
  return line;
}

Result<double> ReadNumber(const fs::path& p) {
  auto line = ReadLine(p);
  if (!line.ok()) return line.status();
  char* end = nullptr;
  double v = std::strtod(line->c_str(), &end);
  if (end == line->c_str()) return Corruption(p.string() + ": not a number: '" + *line + "'");
  return v;
}

// ---- RAPL ----------------------------------------------------------------------------

struct RaplZone {
  fs::path dir;
  std::string name;
  double max_range_uj = 0;
  double start_uj = 0;
};

class RaplMeter final : public EnergyMeter {
 public:
  explicit RaplMeter(std::vector<RaplZone> zones) : zones_(std::move(zones)) {}
  std::string Describe() const override {
    std::string s = "RAPL";
    for (const auto& z : zones_) s += " " + z.name;
    return s;
  }
  Status Start() override {
    for (auto& z : zones_) {
      auto v = ReadNumber(z.dir / "energy_uj");
      if (!v.ok()) return v.status();
      z.start_uj = *v;
    }
    return Status::Ok();
  }
  Result<double> Stop() override {
    double total_uj = 0;
    for (const auto& z : zones_) {
      auto v = ReadNumber(z.dir / "energy_uj");
      if (!v.ok()) return v.status();
      double d = *v - z.start_uj;
      if (d < 0) d += z.max_range_uj;  // the counter wrapped once
      total_uj += d;
    }
    return total_uj * 1e-6;
  }

 private:
  std::vector<RaplZone> zones_;
};

Result<std::unique_ptr<EnergyMeter>> OpenRapl(const fs::path& root) {
  const fs::path base = root / "class/powercap";
  std::error_code ec;
  if (!fs::is_directory(base, ec)) return Unavailable("no " + base.string() + " (kernel without powercap or not exposed)");
  std::vector<RaplZone> zones;
  std::string last_error;
  for (const auto& e : fs::directory_iterator(base, ec)) {
    const std::string n = e.path().filename().string();
    // Top-level zones only ("intel-rapl:0"); sub-zones ("intel-rapl:0:0") are contained in them.
    if (n.rfind("intel-rapl:", 0) != 0 && n.rfind("amd-rapl:", 0) != 0) continue;
    if (n.find(':') != n.rfind(':')) continue;
    RaplZone z;
    z.dir = e.path();
    auto name = ReadLine(z.dir / "name");
    z.name = name.ok() ? *name : n;
    auto probe = ReadNumber(z.dir / "energy_uj");
    if (!probe.ok()) {
      last_error = probe.status().message();
      continue;
    }
    auto range = ReadNumber(z.dir / "max_energy_range_uj");
    z.max_range_uj = range.ok() ? *range : 0;
    zones.push_back(std::move(z));
  }
  if (zones.empty()) {
    if (!last_error.empty()) return Unavailable("RAPL present but unreadable (" + last_error + "; energy_uj is usually root-only)");
    return Unavailable("no RAPL zones under " + base.string());
  }
  return std::unique_ptr<EnergyMeter>(new RaplMeter(std::move(zones)));
}

// ---- hwmon ---------------------------------------------------------------------------

struct Rail {
  fs::path power_file;    // powerN_input (uW), or empty
  fs::path voltage_file;  // inN_input (mV), with current_file
  fs::path current_file;  // currN_input (mA)
  std::string label;
};

Result<double> ReadRailWatts(const Rail& r) {
  if (!r.power_file.empty()) {
    auto uw = ReadNumber(r.power_file);
    if (!uw.ok()) return uw.status();
    return *uw * 1e-6;
  }
  auto mv = ReadNumber(r.voltage_file);
  if (!mv.ok()) return mv.status();
  auto ma = ReadNumber(r.current_file);
  if (!ma.ok()) return ma.status();
  return *mv * *ma * 1e-6;
}

// The rails of one hwmon directory. When a rail is the board input (VDD_IN, as on Jetson), it
// alone is used (the others are parts of it); otherwise all rails are summed.
std::vector<Rail> FindRails(const fs::path& dir) {
  std::vector<Rail> rails;
  for (int k = 0; k <= 8; ++k) {
    Rail r;
    const std::string ks = std::to_string(k);
    if (fs::exists(dir / ("power" + ks + "_input"))) {
      r.power_file = dir / ("power" + ks + "_input");
      auto l = ReadLine(dir / ("power" + ks + "_label"));
      r.label = l.ok() ? *l : "power" + ks;
    } else if (fs::exists(dir / ("in" + ks + "_input")) && fs::exists(dir / ("curr" + ks + "_input"))) {
      r.voltage_file = dir / ("in" + ks + "_input");
      r.current_file = dir / ("curr" + ks + "_input");
      auto l = ReadLine(dir / ("in" + ks + "_label"));
      r.label = l.ok() ? *l : "rail" + ks;
    } else {
      continue;
    }
    rails.push_back(std::move(r));
  }
  for (const auto& r : rails) {
    if (r.label == "VDD_IN" || r.label == "VIN_SYS_5V0") return {r};
  }
  return rails;
}

Result<double> SumWatts(const std::vector<Rail>& rails) {
  double w = 0;
  for (const auto& r : rails) {
    auto v = ReadRailWatts(r);
    if (!v.ok()) return v.status();
    w += *v;
  }
  return w;
}

class HwmonMeter final : public EnergyMeter {
 public:
  HwmonMeter(std::string desc, std::vector<Rail> rails, int period_ms)
      : desc_(std::move(desc)), rails_(std::move(rails)), period_ms_(period_ms) {}
  ~HwmonMeter() override { Join(); }
  std::string Describe() const override { return desc_; }
  Status Start() override {
    Join();
    auto w = SumWatts(rails_);
    if (!w.ok()) return w.status();
    joules_ = 0;
    stop_ = false;
    error_.clear();
    sampler_ = std::thread([this, w0 = *w] { Sample(w0); });
    return Status::Ok();
  }
  Result<double> Stop() override {
    Join();
    if (!error_.empty()) return IOError(error_);
    return joules_;
  }

 private:
  void Join() {
    stop_ = true;
    if (sampler_.joinable()) sampler_.join();
  }
  // Trapezoidal integration of power over time, one last sample at stop.
  void Sample(double w_prev) {
    using Clock = std::chrono::steady_clock;
    auto t_prev = Clock::now();
    bool last = false;
    while (!last) {
      last = stop_.load();
      if (!last) std::this_thread::sleep_for(std::chrono::milliseconds(period_ms_));
      auto w = SumWatts(rails_);
      auto t = Clock::now();
      if (!w.ok()) {
        error_ = w.status().message();
        return;
      }
      joules_ += 0.5 * (w_prev + *w) * std::chrono::duration<double>(t - t_prev).count();
      w_prev = *w;
      t_prev = t;
    }
  }

  std::string desc_;
  std::vector<Rail> rails_;
  int period_ms_;
  std::thread sampler_;
  std::atomic<bool> stop_{true};
  double joules_ = 0;
  std::string error_;
};

Result<std::unique_ptr<EnergyMeter>> OpenHwmon(const fs::path& root, int period_ms) {
  const fs::path base = root / "class/hwmon";
  std::error_code ec;
  if (!fs::is_directory(base, ec)) return Unavailable("no " + base.string());
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(base, ec)) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    auto rails = FindRails(dir);
    if (rails.empty()) continue;
    auto w = SumWatts(rails);
    if (!w.ok()) continue;
    auto name = ReadLine(dir / "name");
    std::string desc = "hwmon " + (name.ok() ? *name : dir.filename().string());
    for (const auto& r : rails) desc += " " + r.label;
    return std::unique_ptr<EnergyMeter>(new HwmonMeter(desc, std::move(rails), period_ms));
  }
  return Unavailable("no readable power rail (INA3221/INA219 power or voltage x current) under " + base.string());
}

}  // namespace

Result<double> ReadHwmonPowerWatts(const std::string& hwmon_dir) {
  auto rails = FindRails(hwmon_dir);
  if (rails.empty()) return NotFound("no power rail in " + hwmon_dir);
  return SumWatts(rails);
}

Result<std::unique_ptr<EnergyMeter>> OpenEnergyMeter(const std::string& sysfs_root, int sample_period_ms) {
  auto rapl = OpenRapl(sysfs_root);
  if (rapl.ok()) return rapl;
  auto hw = OpenHwmon(sysfs_root, sample_period_ms < 1 ? 1 : sample_period_ms);
  if (hw.ok()) return hw;
  return Unavailable("not available: " + rapl.status().message() + "; " + hw.status().message());
}

}  // namespace edgerun::bench
