#include "bench/targets.h"

#include <nlohmann/json.hpp>

#include "core/file.h"

namespace edgerun::bench {

const Target* TargetCatalog::Find(const std::string& name) const {
  for (const auto& t : targets) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string TargetCatalog::Names() const {
  std::string s;
  for (const auto& t : targets) s += (s.empty() ? "" : ", ") + t.name;
  return s;
}

Result<TargetCatalog> ParseTargetCatalog(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Corruption("target catalog is not a JSON object");
  if (!j.contains("targets") || !j["targets"].is_array()) return Corruption("target catalog has no \"targets\" array");
  TargetCatalog cat;
  cat.note = j.value("note", "");
  for (const auto& e : j["targets"]) {
    if (!e.is_object() || !e.contains("name") || !e["name"].is_string()) return Corruption("a target has no \"name\"");
    Target t;
    t.name = e["name"].get<std::string>();
    const std::string where = "target '" + t.name + "'";
    try {
      t.title = e.value("title", t.name);
      t.vendor = e.value("vendor", "");
      t.toolchain = e.value("toolchain", "");
      t.source = e.value("source", "");
      t.peak_tops = e.at("peak_tops").get<std::map<std::string, double>>();
      t.dtypes = e.at("dtypes").get<std::vector<std::string>>();
      t.preferred_dtype = e.value("preferred_dtype", t.dtypes.empty() ? "" : t.dtypes.front());
      t.memory_gb = e.at("memory_gb").get<double>();
      t.usable_memory_fraction = e.value("usable_memory_fraction", 1.0);
      t.memory_bandwidth_gbps = e.at("memory_bandwidth_gbps").get<double>();
      t.memory_is_parameter_cache = e.value("memory_is_parameter_cache", false);
      const auto& p = e.at("power_w");
      t.power_idle_w = p.value("idle", 0.0);
      t.power_typical_w = p.at("typical").get<double>();
      t.power_max_w = p.value("max", t.power_typical_w);
      t.price_usd = e.value("price_usd", 0.0);
      t.constraints = e.value("constraints", std::vector<std::string>{});
    } catch (const nlohmann::json::exception& ex) {
      return Corruption(where + ": " + ex.what());
    }
    if (t.peak_tops.empty() || t.dtypes.empty()) return Corruption(where + ": needs peak_tops and dtypes");
    for (const auto& [dt, tops] : t.peak_tops) {
      if (tops <= 0) return Corruption(where + ": peak_tops." + dt + " must be positive");
    }
    if (t.memory_gb <= 0 || t.memory_bandwidth_gbps <= 0) return Corruption(where + ": memory_gb and memory_bandwidth_gbps must be positive");
    if (cat.Find(t.name)) return Corruption("target '" + t.name + "' is listed twice");
    cat.targets.push_back(std::move(t));
  }
  return cat;
}

Result<TargetCatalog> LoadTargetCatalog(const std::string& path) {
  auto text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  auto cat = ParseTargetCatalog(*text);
  if (!cat.ok()) return cat.status().WithContext(path);
  return cat;
}

}  // namespace edgerun::bench
