#include "bench/power_meter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace edgerun::bench {
namespace {

namespace fs = std::filesystem;

class PowerMeterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("edgerun_power_test_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text << "\n";
  }
  fs::path root_;
};

TEST_F(PowerMeterTest, NothingAvailableSaysWhy) {
  auto m = OpenEnergyMeter(root_.string());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(m.status().message().find("powercap"), std::string::npos);
  EXPECT_NE(m.status().message().find("hwmon"), std::string::npos);
}

TEST_F(PowerMeterTest, RaplSumsTopLevelZonesAndHandlesWrap) {
  Write("class/powercap/intel-rapl:0/name", "package-0");
  Write("class/powercap/intel-rapl:0/energy_uj", "999000000");
  Write("class/powercap/intel-rapl:0/max_energy_range_uj", "1000000000");
  Write("class/powercap/intel-rapl:0:0/name", "core");  // sub-zone: ignored
  Write("class/powercap/intel-rapl:0:0/energy_uj", "5");
  Write("class/powercap/intel-rapl:1/name", "package-1");
  Write("class/powercap/intel-rapl:1/energy_uj", "1000000");
  auto m = OpenEnergyMeter(root_.string());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)->Describe(), "RAPL package-0 package-1");
  ASSERT_TRUE((*m)->Start().ok());
  Write("class/powercap/intel-rapl:0/energy_uj", "1000000");  // wrapped: +2 J
  Write("class/powercap/intel-rapl:1/energy_uj", "4000000");  // +3 J
  auto j = (*m)->Stop();
  ASSERT_TRUE(j.ok());
  EXPECT_NEAR(*j, 5.0, 1e-9);
}

TEST_F(PowerMeterTest, Ina3221UsesTheBoardInputRail) {
  // Jetson-style INA3221: VDD_IN is the whole board; the other rails are parts of it.
  Write("class/hwmon/hwmon0/name", "ina3221");
  Write("class/hwmon/hwmon0/in1_label", "VDD_IN");
  Write("class/hwmon/hwmon0/in1_input", "5000");   // mV
  Write("class/hwmon/hwmon0/curr1_input", "1000");  // mA -> 5 W
  Write("class/hwmon/hwmon0/in2_label", "VDD_CPU_GPU_CV");
  Write("class/hwmon/hwmon0/in2_input", "5000");
  Write("class/hwmon/hwmon0/curr2_input", "400");
  auto w = ReadHwmonPowerWatts((root_ / "class/hwmon/hwmon0").string());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_NEAR(*w, 5.0, 1e-9);

  auto m = OpenEnergyMeter(root_.string(), 1);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_NE((*m)->Describe().find("ina3221 VDD_IN"), std::string::npos);
  ASSERT_TRUE((*m)->Start().ok());
  const auto a = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto j = (*m)->Stop();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
  ASSERT_TRUE(j.ok());
  EXPECT_NEAR(*j, 5.0 * secs, 5.0 * 0.05);
}

TEST_F(PowerMeterTest, Ina219PowerInputsAreSummed) {
  Write("class/hwmon/hwmon3/name", "ina219");
  Write("class/hwmon/hwmon3/power1_input", "1500000");  // uW
  Write("class/hwmon/hwmon4/name", "cpu_thermal");        // no rails: skipped
  auto w = ReadHwmonPowerWatts((root_ / "class/hwmon/hwmon3").string());
  ASSERT_TRUE(w.ok());
  EXPECT_NEAR(*w, 1.5, 1e-9);
  EXPECT_FALSE(ReadHwmonPowerWatts((root_ / "class/hwmon/hwmon4").string()).ok());
}

}  // namespace
}  // namespace edgerun::bench
