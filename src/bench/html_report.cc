#include "bench/html_report.h"

#include <algorithm>
#include <cstdio>

#include "core/file.h"

namespace edgerun::bench {

namespace {

constexpr double kW = 720, kH = 260, kLeft = 60, kRight = 15, kTop = 15, kBottom = 40;

std::string Fmt(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string Escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string SvgOpen(const std::string& title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Fmt("%.0f", kW) + "\" height=\"" + Fmt("%.0f", kH) +
         "\" role=\"img\" aria-label=\"" + Escape(title) + "\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>";
}

std::string Text(double x, double y, const std::string& s, const char* anchor = "middle") {
  return "<text x=\"" + Fmt("%.1f", x) + "\" y=\"" + Fmt("%.1f", y) + "\" font-size=\"11\" text-anchor=\"" + anchor +
         "\">" + Escape(s) + "</text>";
}

std::string Axes(const std::string& xlabel, const std::string& ylabel) {
  std::string s = "<line x1=\"" + Fmt("%.0f", kLeft) + "\" y1=\"" + Fmt("%.0f", kH - kBottom) + "\" x2=\"" + Fmt("%.0f", kW - kRight) +
                  "\" y2=\"" + Fmt("%.0f", kH - kBottom) + "\" stroke=\"#333\"/>";
  s += "<line x1=\"" + Fmt("%.0f", kLeft) + "\" y1=\"" + Fmt("%.0f", kTop) + "\" x2=\"" + Fmt("%.0f", kLeft) + "\" y2=\"" +
       Fmt("%.0f", kH - kBottom) + "\" stroke=\"#333\"/>";
  s += Text((kLeft + kW - kRight) / 2, kH - 5, xlabel);
  s += "<text x=\"12\" y=\"" + Fmt("%.1f", (kTop + kH - kBottom) / 2) + "\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 12 " +
       Fmt("%.1f", (kTop + kH - kBottom) / 2) + ")\">" + Escape(ylabel) + "</text>";
  return s;
}

std::string Row(const std::string& k, const std::string& v) { return "<tr><th>" + Escape(k) + "</th><td>" + Escape(v) + "</td></tr>\n"; }

template <typename T>
std::string OptOr(const std::optional<T>& v, const char* fmt, double scale, const std::string& reason) {
  return v ? Fmt(fmt, static_cast<double>(*v) * scale) : reason;
}

}  // namespace

std::string LatencyHistogramSvg(const std::vector<double>& samples_us, double deadline_us) {
  std::string s = SvgOpen("latency histogram");
  auto bins = Histogram(samples_us, kHtmlHistogramBins);
  if (bins.empty()) return s + Text(kW / 2, kH / 2, "no samples") + "</svg>";
  int64_t top = 1;
  for (const auto& b : bins) top = std::max(top, b.count);
  const double lo = bins.front().lo, hi = std::max(bins.back().hi, deadline_us > 0 ? deadline_us : 0);
  const double span = hi > lo ? hi - lo : 1;
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
  const double bw = pw / static_cast<double>(bins.size()) * ((bins.back().hi - lo) / span);
  for (size_t i = 0; i < bins.size(); ++i) {
    const double h = ph * static_cast<double>(bins[i].count) / static_cast<double>(top);
    s += "<rect class=\"bar\" x=\"" + Fmt("%.2f", kLeft + bw * static_cast<double>(i)) + "\" y=\"" + Fmt("%.2f", kTop + ph - h) +
         "\" width=\"" + Fmt("%.2f", std::max(bw - 1, 0.5)) + "\" height=\"" + Fmt("%.2f", h) + "\" fill=\"#4a78b5\"><title>" +
         Fmt("%.1f", bins[i].lo) + "-" + Fmt("%.1f", bins[i].hi) + " us: " + std::to_string(bins[i].count) + "</title></rect>";
  }
  if (deadline_us > 0) {
    const double x = kLeft + pw * (deadline_us - lo) / span;
    s += "<line class=\"deadline\" x1=\"" + Fmt("%.1f", x) + "\" y1=\"" + Fmt("%.0f", kTop) + "\" x2=\"" + Fmt("%.1f", x) + "\" y2=\"" +
         Fmt("%.0f", kH - kBottom) + "\" stroke=\"#c33\" stroke-dasharray=\"4 3\"/>";
  }
  s += Text(kLeft, kH - kBottom + 14, Fmt("%.1f", lo)) + Text(kW - kRight, kH - kBottom + 14, Fmt("%.1f", hi));
  s += Text(kLeft - 4, kTop + 10, std::to_string(top), "end");
  return s + Axes("latency (us)", "runs") + "</svg>";
}

std::string LatencyOverTimeSvg(const std::vector<double>& samples_us, const std::vector<double>& start_s, double deadline_us) {
  std::string s = SvgOpen("latency over time");
  if (samples_us.empty()) return s + Text(kW / 2, kH / 2, "no samples") + "</svg>";
  auto pts = DownsampleMax(samples_us, kHtmlMaxPoints);
  double ymax = std::max(*std::max_element(samples_us.begin(), samples_us.end()), deadline_us) * 1.05;
  double tmax = start_s.empty() ? 0 : *std::max_element(start_s.begin(), start_s.end());
  if (tmax <= 0) tmax = 1;
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
  auto x_of = [&](int64_t i) {
    double t = static_cast<size_t>(i) < start_s.size() ? start_s[static_cast<size_t>(i)] : 0;
    return kLeft + pw * t / tmax;
  };
  for (const auto& [i, v] : pts) {
    s += "<circle class=\"pt\" cx=\"" + Fmt("%.1f", x_of(i)) + "\" cy=\"" + Fmt("%.1f", kTop + ph - ph * v / ymax) +
         "\" r=\"1.5\" fill=\"" + (deadline_us > 0 && v > deadline_us ? "#c33" : "#4a78b5") + "\"/>";
  }
  if (deadline_us > 0) {
    const double y = kTop + ph - ph * deadline_us / ymax;
    s += "<line class=\"deadline\" x1=\"" + Fmt("%.0f", kLeft) + "\" y1=\"" + Fmt("%.1f", y) + "\" x2=\"" + Fmt("%.0f", kW - kRight) +
         "\" y2=\"" + Fmt("%.1f", y) + "\" stroke=\"#c33\" stroke-dasharray=\"4 3\"/>";
  }
  s += Text(kLeft, kH - kBottom + 14, "0") + Text(kW - kRight, kH - kBottom + 14, Fmt("%.2f s", tmax));
  s += Text(kLeft - 4, kTop + 10, Fmt("%.0f", ymax), "end");
  return s + Axes("time since start of measurement", "latency (us)") + "</svg>";
}

std::string BenchReportToHtml(const BenchReport& r) {
  const LatencySummary& l = r.latency;
  const double deadline_us = r.realtime ? r.realtime->deadline_ms * 1e3 : 0;
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>edgerun bench: " + Escape(r.model) +
                  "</title>\n<style>body{font-family:sans-serif;max-width:760px;margin:2em auto;color:#222}"
                  "table{border-collapse:collapse}th,td{padding:2px 10px;text-align:left;border-bottom:1px solid #ddd}"
                  "th{font-weight:normal;color:#555}</style></head><body>\n";
  h += "<h1>edgerun bench</h1>\n<table>\n";
  h += Row("model", r.model) + Row("date", r.date) + Row("machine", r.machine);
  std::string prov;
  for (const auto& p : r.providers) prov += (prov.empty() ? "" : ",") + p;
  h += Row("threads / providers", std::to_string(r.threads) + " / " + prov);
  h += Row("streams / batch", std::to_string(r.streams) + " / " + std::to_string(r.batch)) + Row("inputs", r.inputs);
  h += Row("session creation", Fmt("%.3f ms", r.session_create_ms)) + Row("first inference", Fmt("%.3f ms", r.first_inference_ms));
  h += Row("runs", std::to_string(l.count));
  h += Row("latency min / mean / stddev", Fmt("%.1f", l.min) + " / " + Fmt("%.1f", l.mean) + " / " + Fmt("%.1f us", l.stddev));
  h += Row("latency p50 / p90 / p99 / p99.9 / max", Fmt("%.1f", l.p50) + " / " + Fmt("%.1f", l.p90) + " / " + Fmt("%.1f", l.p99) + " / " +
                                                        Fmt("%.1f", l.p999) + " / " + Fmt("%.1f us", l.max));
  h += Row("tail ratio p99/p50", Fmt("%.2f", l.tail_ratio)) + Row("throughput", Fmt("%.1f inferences/s", r.throughput_per_s));
  h += Row("peak RSS", OptOr(r.peak_rss_bytes, "%.1f MiB", 1.0 / 1048576, r.peak_rss_reason));
  h += Row("arena", OptOr(r.arena_bytes, "%.0f B", 1, r.arena_reason));
  h += Row("heap allocations per run", OptOr(r.allocations_per_run, "%.2f", 1, r.allocations_reason));
  h += Row("energy", r.energy ? Fmt("%.3f J", r.energy->joules) + Fmt(", %.2f W average", r.energy->average_power_w) + " (" + r.energy->source + ")"
                              : r.energy_reason);
  if (r.realtime) {
    const auto& rt = *r.realtime;
    h += Row("real-time", Fmt("%.1f Hz", rt.rate_hz) + Fmt(", deadline %.3f ms", rt.deadline_ms));
    h += Row("deadline misses", std::to_string(rt.deadline.misses) + " of " + std::to_string(rt.deadline.invocations) +
                                    Fmt(" (worst response %.1f us)", rt.deadline.worst_response_us));
    h += Row("skipped periods", std::to_string(rt.skipped_periods) + (rt.kept_up ? "" : " - " + rt.keep_up_note));
    if (rt.idle_gaps) {
      h += Row("after idle gaps", std::to_string(rt.idle_gaps) + Fmt(" gaps of %.0f ms", rt.idle_gap_ms) + Fmt(": p50 %.1f", rt.after_idle.p50) +
                                      Fmt(" max %.1f us", rt.after_idle.max) + ", misses " + std::to_string(rt.after_idle_misses));
    }
  }
  h += "</table>\n<h2>Latency histogram</h2>\n" + LatencyHistogramSvg(r.samples_us, deadline_us) + "\n";
  h += "<h2>Latency over time</h2>\n" + LatencyOverTimeSvg(r.samples_us, r.sample_start_s, deadline_us) + "\n";
  if (r.profile) {
    h += "<h2>Operators</h2>\n<table>\n";
    for (const auto& o : r.profile->by_op_type) h += Row(o.op_type, Fmt("%.1f%%", o.share * 100));
    h += "</table>\n";
  } else {
    h += "<h2>Operators</h2>\n<p>" + Escape(r.profile_reason) + "</p>\n";
  }
  return h + "</body></html>\n";
}

Status WriteBenchHtml(const BenchReport& report, const std::string& path) {
  return WriteFileAtomically(path, BenchReportToHtml(report));
}

}  // namespace edgerun::bench
