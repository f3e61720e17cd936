// Conformance runner over ONNX's backend test data (libonnx-testdata).
//
// Each test directory holds model.onnx and test_data_set_*/{input,output}_*.pb. Every test runs
// in a forked child (a crash or hang in one test cannot stop the run; each has a time limit).
// Outputs are compared with ONNX's tolerances (rtol 1e-3, atol 1e-7). Tests whose model uses a
// training or string operator are counted as not applicable.
//
// Usage: edgerun_conformance --data DIR [--group NAME]... [--filter SUBSTR] [--doc FILE]
//                            [--providers LIST]... [--ratchet FILE] [--update-ratchet] [--verbose]
// Each --providers LIST (comma-separated, default "cpu") runs the whole suite once; every data set
// runs twice per session (the second run uses the planned memory arena). The ratchet file holds
// "LIST GROUP COUNT" lines (a "GROUP COUNT" line means the cpu list).
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/file.h"
#include "onnx/onnx_pb.h"
#include "onnx/onnx-data_pb.h"
#include "onnx/tensor_proto.h"
#include "runtime/session_impl.h"

namespace fs = std::filesystem;
using namespace edgerun;

namespace {

std::vector<std::string> g_providers = {"cpu"};  // provider list of the suite being run

constexpr double kRtol = 1e-3;
constexpr double kAtol = 1e-7;
constexpr int kTestTimeoutSeconds = 60;
const char* kGroups[] = {"node", "pytorch-converted", "pytorch-operator", "simple"};

enum class Outcome { kPass, kFail, kNotApplicable };

struct TestResult {
  std::string group;
  std::string name;
  Outcome outcome = Outcome::kFail;
  std::string reason;
  std::string kernels;
};

const std::set<std::string> kStringOps = {"StringNormalizer", "StringConcat", "StringSplit", "RegexFullMatch"};
const std::set<std::string> kTrainingOps = {"Adam", "Adagrad", "Momentum", "Gradient"};

// Reads a test data file as a value of the kind the graph declares.
Result<RValue> ReadValue(const std::string& path, const ir::TypeInfo& type) {
  std::string bytes;
  EDGERUN_ASSIGN_OR_RETURN(bytes, ReadFileToString(path));
  const ir::TypeInfo* t = &type;
  if (t->kind == ir::TypeInfo::Kind::kOptional) {
    onnx::OptionalProto op;
    if (!op.ParseFromString(bytes)) return Corruption(path + ": not an OptionalProto");
    if (op.has_tensor_value()) {
      Tensor tt;
      EDGERUN_ASSIGN_OR_RETURN(tt, onnxio::TensorFromProto(op.tensor_value(), ""));
      return RValue::FromTensor(tt);
    }
    if (op.has_sequence_value()) {
      std::vector<Tensor> seq;
      for (const auto& tp : op.sequence_value().tensor_values()) {
        Tensor tt;
        EDGERUN_ASSIGN_OR_RETURN(tt, onnxio::TensorFromProto(tp, ""));
        seq.push_back(tt);
      }
      DataType et = static_cast<DataType>(op.sequence_value().elem_type() == onnx::SequenceProto::TENSOR && !seq.empty()
                                              ? static_cast<int>(seq[0].dtype()) : 0);
      return RValue::FromSequence(seq, et);
    }
    return RValue();
  }
  if (t->kind == ir::TypeInfo::Kind::kSequence) {
    onnx::SequenceProto sp;
    if (!sp.ParseFromString(bytes)) return Corruption(path + ": not a SequenceProto");
    std::vector<Tensor> seq;
    for (const auto& tp : sp.tensor_values()) {
      Tensor tt;
      EDGERUN_ASSIGN_OR_RETURN(tt, onnxio::TensorFromProto(tp, ""));
      seq.push_back(tt);
    }
    DataType et = t->elem ? t->elem->dtype : DataType::kUndefined;
    return RValue::FromSequence(seq, et);
  }
  onnx::TensorProto tp;
  if (!tp.ParseFromString(bytes)) return Corruption(path + ": not a TensorProto");
  Tensor tt;
  EDGERUN_ASSIGN_OR_RETURN(tt, onnxio::TensorFromProto(tp, ""));
  return RValue::FromTensor(tt);
}

double ToDouble(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DataType::kFloat: return t.data<float>()[i];
    case DataType::kDouble: return t.data<double>()[i];
    case DataType::kFloat16: return HalfToFloat(t.data<uint16_t>()[i]);
    case DataType::kBFloat16: return static_cast<float>(BFloat16::FromBits(t.data<uint16_t>()[i]));
    case DataType::kInt8: return t.data<int8_t>()[i];
    case DataType::kInt16: return t.data<int16_t>()[i];
    case DataType::kInt32: return t.data<int32_t>()[i];
    case DataType::kInt64: return static_cast<double>(t.data<int64_t>()[i]);
    case DataType::kUint8: return t.data<uint8_t>()[i];
    case DataType::kUint16: return t.data<uint16_t>()[i];
    case DataType::kUint32: return t.data<uint32_t>()[i];
    case DataType::kUint64: return static_cast<double>(t.data<uint64_t>()[i]);
    case DataType::kBool: return t.data<uint8_t>()[i] ? 1 : 0;
    default: return 0;
  }
}

bool IsFloating(DataType dt) {
  return dt == DataType::kFloat || dt == DataType::kDouble || dt == DataType::kFloat16 || dt == DataType::kBFloat16;
}

std::string CompareTensor(const Tensor& got, const Tensor& want, const std::string& what) {
  if (got.dtype() != want.dtype()) {
    return what + ": dtype " + DataTypeName(got.dtype()) + ", expected " + DataTypeName(want.dtype());
  }
  if (got.shape() != want.shape()) {
    return what + ": shape " + ShapeToString(got.shape()) + ", expected " + ShapeToString(want.shape());
  }
  if (got.dtype() == DataType::kString) {
    for (int64_t i = 0; i < got.numel(); ++i) {
      if (got.strings()[i] != want.strings()[i]) return what + ": string mismatch at " + std::to_string(i);
    }
    return "";
  }
  int64_t bad = 0, first = -1;
  double worst = 0;
  for (int64_t i = 0; i < got.numel(); ++i) {
    if (IsFloating(got.dtype())) {
      double a = ToDouble(got, i), b = ToDouble(want, i);
      if (std::isnan(a) && std::isnan(b)) continue;
      if (std::isinf(a) || std::isinf(b)) {
        if (a == b) continue;
      } else if (std::fabs(a - b) <= kAtol + kRtol * std::fabs(b)) {
        continue;
      }
      double err = std::fabs(a - b);
      if (bad == 0 || err > worst) worst = err;
    } else {
      bool eq = got.dtype() == DataType::kInt64 ? got.data<int64_t>()[i] == want.data<int64_t>()[i]
                : got.dtype() == DataType::kUint64 ? got.data<uint64_t>()[i] == want.data<uint64_t>()[i]
                                                   : ToDouble(got, i) == ToDouble(want, i);
      if (eq) continue;
    }
    if (first < 0) first = i;
    ++bad;
  }
  if (bad == 0) return "";
  std::ostringstream os;
  os << what << ": " << bad << " of " << got.numel() << " values differ; first at " << first << ": got "
     << ToDouble(got, first) << ", expected " << ToDouble(want, first);
  if (IsFloating(got.dtype())) os << " (max abs error " << worst << ")";
  return os.str();
}

std::string CompareValue(const RValue& got, const RValue& want, const std::string& what) {
  if (want.is_none()) return got.is_none() ? "" : what + ": expected an empty optional";
  if (want.is_sequence()) {
    if (!got.is_sequence()) return what + ": expected a sequence";
    if (got.sequence.size() != want.sequence.size()) {
      return what + ": sequence of " + std::to_string(got.sequence.size()) + ", expected " + std::to_string(want.sequence.size());
    }
    for (size_t i = 0; i < got.sequence.size(); ++i) {
      std::string r = CompareTensor(got.sequence[i], want.sequence[i], what + "[" + std::to_string(i) + "]");
      if (!r.empty()) return r;
    }
    return "";
  }
  if (!got.is_tensor()) return what + ": expected a tensor, got " + (got.is_none() ? "nothing" : "a sequence");
  return CompareTensor(got.tensor, want.tensor, what);
}

bool UsesOpIn(const ir::Graph& g, const std::set<std::string>& ops, std::string* which) {
  for (const auto& n : g.nodes) {
    if (ops.count(n.op_type) || n.domain == "ai.onnx.preview.training") {
      *which = n.op_type;
      return true;
    }
    for (const auto& [an, a] : n.attributes) {
      if (a.g && UsesOpIn(*a.g, ops, which)) return true;
    }
  }
  return false;
}

std::vector<std::string> SortedFiles(const fs::path& dir, const std::string& prefix) {
  std::vector<std::pair<int, std::string>> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n.rfind(prefix, 0) == 0 && n.size() > 3 && n.substr(n.size() - 3) == ".pb") {
      files.push_back({std::atoi(n.substr(prefix.size()).c_str()), e.path().string()});
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (auto& f : files) out.push_back(f.second);
  return out;
}

// Runs one test in this process.
TestResult RunOne(const fs::path& dir, const std::string& group) {
  TestResult r;
  r.group = group;
  r.name = dir.filename().string();
  auto model = onnxio::LoadModelFromFile((dir / "model.onnx").string());
  if (!model.ok()) {
    r.reason = model.status().ToString();
    return r;
  }
  std::string which;
  if (UsesOpIn(*model->graph, kTrainingOps, &which)) {
    r.outcome = Outcome::kNotApplicable;
    r.reason = "training operator " + which;
    return r;
  }
  if (UsesOpIn(*model->graph, kStringOps, &which)) {
    r.outcome = Outcome::kNotApplicable;
    r.reason = "string operator " + which;
    return r;
  }
  auto graph = model->graph;
  SessionOptions options;
  options.providers = g_providers;
  auto session = SessionImpl::Create(std::move(model).value(), options);
  if (!session.ok()) {
    r.reason = session.status().ToString();
    return r;
  }
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
  }
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) {
    r.reason = "no test data sets";
    return r;
  }
  auto real_inputs = graph->RealInputs();
  for (const auto& set : sets) {
    auto in_files = SortedFiles(set, "input_");
    auto out_files = SortedFiles(set, "output_");
    std::vector<std::pair<std::string, RValue>> inputs;
    for (size_t i = 0; i < in_files.size(); ++i) {
      if (i >= real_inputs.size()) {
        r.reason = "more input files than graph inputs";
        return r;
      }
      auto v = ReadValue(in_files[i], real_inputs[i]->type);
      if (!v.ok()) {
        r.reason = v.status().ToString();
        return r;
      }
      inputs.push_back({real_inputs[i]->name, std::move(v).value()});
    }
    auto outs = (*session)->RunValues(inputs);
    if (!outs.ok()) {
      r.reason = outs.status().ToString();
      return r;
    }
    // A second run: with the same shapes it runs from the planned arena and must agree.
    auto outs2 = (*session)->RunValues(inputs);
    if (!outs2.ok()) {
      r.reason = "second run: " + outs2.status().ToString();
      return r;
    }
    if (outs2->size() == outs->size()) {
      for (size_t i = 0; i < outs->size() && i < out_files.size(); ++i) {
        auto want = ReadValue(out_files[i], graph->outputs[i].type);
        if (!want.ok()) break;
        std::string diff = CompareValue((*outs2)[i], *want, "second run, output '" + graph->outputs[i].name + "'");
        if (!diff.empty()) {
          r.reason = diff;
          return r;
        }
      }
    }
    if (outs->size() != out_files.size()) {
      r.reason = "produced " + std::to_string(outs->size()) + " outputs, expected " + std::to_string(out_files.size());
      return r;
    }
    for (size_t i = 0; i < out_files.size(); ++i) {
      auto want = ReadValue(out_files[i], graph->outputs[i].type);
      if (!want.ok()) {
        r.reason = want.status().ToString();
        return r;
      }
      std::string diff = CompareValue((*outs)[i], *want, "output '" + graph->outputs[i].name + "'");
      if (!diff.empty()) {
        r.reason = diff;
        return r;
      }
    }
  }
  r.outcome = Outcome::kPass;
  return r;
}

std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == '|') c = '/';
  }
  if (s.size() > 300) s = s.substr(0, 297) + "...";
  return s;
}

// Forks, runs the test in the child, and reads "outcome\treason" back.
TestResult RunIsolated(const fs::path& dir, const std::string& group) {
  TestResult r;
  r.group = group;
  r.name = dir.filename().string();
  int fds[2];
  if (pipe(fds) != 0) {
    r.reason = "pipe failed";
    return r;
  }
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    alarm(kTestTimeoutSeconds);
    TestResult c = RunOne(dir, group);
    std::string line = std::to_string(static_cast<int>(c.outcome)) + "\t" + OneLine(c.reason);
    ssize_t w = write(fds[1], line.data(), line.size());
    (void)w;
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string buf;
  char tmp[4096];
  ssize_t n;
  while ((n = read(fds[0], tmp, sizeof tmp)) > 0) buf.append(tmp, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    r.reason = sig == SIGALRM ? "timed out after " + std::to_string(kTestTimeoutSeconds) + " s"
                              : std::string("crashed with signal ") + strsignal(sig);
    return r;
  }
  auto tab = buf.find('\t');
  if (tab == std::string::npos) {
    r.reason = "child produced no result";
    return r;
  }
  r.outcome = static_cast<Outcome>(std::atoi(buf.substr(0, tab).c_str()));
  r.reason = buf.substr(tab + 1);
  return r;
}

// Ratchet entries keyed "LIST GROUP".
std::map<std::string, int> ReadRatchet(const std::string& path) {
  std::map<std::string, int> m;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream ls(line);
    std::vector<std::string> w;
    std::string x;
    while (ls >> x) w.push_back(x);
    if (w.size() == 2) m["cpu " + w[0]] = std::stoi(w[1]);
    if (w.size() == 3) m[w[0] + " " + w[1]] = std::stoi(w[2]);
  }
  return m;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = "/usr/share/libonnx-testdata/data", doc, ratchet, filter;
  std::vector<std::string> groups;
  bool update_ratchet = false, verbose = false;
  std::vector<std::string> provider_lists;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--data") data = next();
    else if (a == "--group") groups.push_back(next());
    else if (a == "--filter") filter = next();
    else if (a == "--doc") doc = next();
    else if (a == "--ratchet") ratchet = next();
    else if (a == "--update-ratchet") update_ratchet = true;
    else if (a == "--providers") provider_lists.push_back(next());
    else if (a == "--verbose" || a == "-v") verbose = true;
    else {
      std::fprintf(stderr, "error: unknown argument '%s'\n", a.c_str());
      return 2;
    }
  }
  if (groups.empty()) groups.assign(std::begin(kGroups), std::end(kGroups));
  if (!fs::is_directory(data)) {
    std::fprintf(stderr, "error: test data directory '%s' not found (install libonnx-testdata)\n", data.c_str());
    return 2;
  }
  if (provider_lists.empty()) provider_lists.push_back("cpu");
  std::map<std::string, std::map<std::string, std::array<int, 3>>> all_counts;  // list -> group -> counts
  std::ostringstream md;
  md << "# Conformance\n\n"
     << "Generated by `edgerun_conformance` (`make conformance-doc`) over the ONNX backend test data in Debian's\n"
     << "libonnx-testdata; do not edit by hand. Outputs are compared with ONNX's tolerances (rtol 1e-3,\n"
     << "atol 1e-7); every data set runs twice per session (the second run uses the planned memory arena).\n"
     << "Tests whose model uses a training operator (Adam, Adagrad, Momentum, Gradient) or a\n"
     << "string operator (StringNormalizer, StringConcat, StringSplit, RegexFullMatch) are not applicable.\n"
     << "The suite runs once per provider list; both pass counts are ratcheted (tests/conformance/ratchet.txt).\n";
  for (const std::string& list : provider_lists) {
  g_providers = SplitList(list);
  std::printf("\nprovider list: %s\n", list.c_str());
  auto start = std::chrono::steady_clock::now();
  std::vector<TestResult> results;
  for (const auto& group : groups) {
    fs::path gdir = fs::path(data) / group;
    if (!fs::is_directory(gdir)) {
      std::fprintf(stderr, "error: group directory '%s' not found\n", gdir.c_str());
      return 2;
    }
    std::vector<fs::path> tests;
    for (const auto& e : fs::directory_iterator(gdir)) {
      if (e.is_directory() && fs::exists(e.path() / "model.onnx")) tests.push_back(e.path());
    }
    std::sort(tests.begin(), tests.end());
    for (const auto& t : tests) {
      if (!filter.empty() && t.filename().string().find(filter) == std::string::npos) continue;
      TestResult r = RunIsolated(t, group);
      if (verbose || (!filter.empty() && r.outcome == Outcome::kFail)) {
        std::printf("%-5s %s/%s %s\n", r.outcome == Outcome::kPass ? "PASS" : r.outcome == Outcome::kFail ? "FAIL" : "N/A",
                    group.c_str(), r.name.c_str(), r.reason.c_str());
      }
      results.push_back(std::move(r));
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::map<std::string, std::array<int, 3>>& counts = all_counts[list];
  for (const auto& r : results) counts[r.group][static_cast<int>(r.outcome)]++;
  int total_pass = 0, total_fail = 0, total_na = 0;
  std::printf("\n%-20s %7s %7s %7s %7s\n", "group", "tests", "passed", "failed", "n/a");
  for (const auto& g : groups) {
    auto c = counts[g];
    std::printf("%-20s %7d %7d %7d %7d\n", g.c_str(), c[0] + c[1] + c[2], c[0], c[1], c[2]);
    total_pass += c[0];
    total_fail += c[1];
    total_na += c[2];
  }
  std::printf("conformance: %d passed, %d failed, %d not applicable (%.1f s)\n", total_pass, total_fail, total_na, secs);

  if (!doc.empty()) {
    md << "\n## Provider list: " << list << "\n\n"
       << "| group | tests | passed | failed | not applicable | pass rate (of applicable) |\n|---|---:|---:|---:|---:|---:|\n";
    auto row = [&md](const std::string& label, const std::array<int, 3>& c) {
      char rate[32];
      const int applicable = c[0] + c[1];
      std::snprintf(rate, sizeof rate, "%.1f%%", applicable ? 100.0 * c[0] / applicable : 0.0);
      md << "| " << label << " | " << c[0] + c[1] + c[2] << " | " << c[0] << " | " << c[1] << " | " << c[2] << " | " << rate
         << " |\n";
    };
    std::array<int, 3> others{0, 0, 0};
    for (const auto& g : groups) {
      row(g, counts[g]);
      if (g != "node") {
        for (int k = 0; k < 3; ++k) others[static_cast<size_t>(k)] += counts[g][static_cast<size_t>(k)];
      }
    }
    if (groups.size() > 1) row("pytorch-converted + pytorch-operator + simple", others);
    md << "\n### Failing tests (" << list << ")\n\n| group | test | reason |\n|---|---|---|\n";
    for (const auto& r : results) {
      if (r.outcome == Outcome::kFail) md << "| " << r.group << " | " << r.name << " | " << OneLine(r.reason) << " |\n";
    }
    md << "\n### Not applicable (" << list << ")\n\n| group | test | reason |\n|---|---|---|\n";
    for (const auto& r : results) {
      if (r.outcome == Outcome::kNotApplicable) md << "| " << r.group << " | " << r.name << " | " << OneLine(r.reason) << " |\n";
    }
  }
  }  // provider lists
  if (!doc.empty()) {
    auto st = WriteFileAtomically(doc, md.str());
    if (!st.ok()) {
      std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  int rc = 0;
  if (!ratchet.empty() && filter.empty()) {
    if (update_ratchet) {
      std::ostringstream os;
      std::map<std::string, int> merged = ReadRatchet(ratchet);
      for (const auto& [list, counts] : all_counts) {
        for (const auto& g : groups) merged[list + " " + g] = counts.at(g)[0];
      }
      for (const auto& [key, n] : merged) os << key << " " << n << "\n";
      auto st = WriteFileAtomically(ratchet, os.str());
      if (!st.ok()) {
        std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
        return 1;
      }
    } else {
      for (const auto& [key, n] : ReadRatchet(ratchet)) {
        const std::string list = key.substr(0, key.find(' '));
        const std::string g = key.substr(key.find(' ') + 1);
        if (!all_counts.count(list) || !all_counts[list].count(g)) continue;
        const int got = all_counts[list][g][0];
        if (got < n) {
          std::printf("RATCHET FAILED: %s with providers %s passes %d tests, the ratchet requires %d\n", g.c_str(),
                      list.c_str(), got, n);
          rc = 1;
        }
      }
    }
  }
  return rc;
}
