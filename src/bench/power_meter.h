// Energy meters behind one small interface, found under a sysfs root (normally "/sys"; tests
// pass a fake tree):
//   - Linux powercap RAPL: class/powercap/intel-rapl:N/energy_uj (cumulative, wraps at
//     max_energy_range_uj); top-level zones are summed.
//   - hwmon power monitors (INA3221 as on Jetson boards: inN_input mV x currN_input mA;
//     INA219/INA226 and others: powerN_input uW), sampled by a thread and integrated.
// Thread-safety: one meter is used by one thread (its sampler thread is internal).
#pragma once

#include <memory>
#include <string>

#include "edgerun/status.h"

namespace edgerun::bench {

class EnergyMeter {
 public:
  virtual ~EnergyMeter() = default;
  // Where the figure comes from, e.g. "RAPL package-0" or "hwmon ina3221 VDD_IN".
  virtual std::string Describe() const = 0;
  // Starts a measurement window.
  virtual Status Start() = 0;
  // Ends the window; returns joules consumed during it.
  virtual Result<double> Stop() = 0;
};

// Opens the first available source (RAPL, then hwmon). Unavailable with the reason (what was
// looked for and why it could not be used) when there is none.
Result<std::unique_ptr<EnergyMeter>> OpenEnergyMeter(const std::string& sysfs_root = "/sys",
                                                     int sample_period_ms = 5);

// Instantaneous power in watts from a hwmon directory (for tests and `plan --target host`).
Result<double> ReadHwmonPowerWatts(const std::string& hwmon_dir);

}  // namespace edgerun::bench
