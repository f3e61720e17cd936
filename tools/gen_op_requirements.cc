// Build-time generator: writes the input requirements of every operator schema libonnx knows
// (all domains, every since_version) as a sorted C++ table, so that sessions look them up without
// building libonnx's schema registry at run time (that costs 13-17 ms on the first lookup, most of
// a small model's session creation).
// Usage: edgerun_gen_op_requirements OUT.cc
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "onnx/defs/schema.h"

namespace {

struct Row {
  std::string domain, op;
  int since = 0, min_inputs = 0, max_inputs = 0;
  std::vector<std::tuple<bool, bool, bool>> inputs;  // required, tensor_only, accepts_none
};

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT.cc\n", argv[0]);
    return 2;
  }
  std::vector<Row> rows;
  for (const onnx::OpSchema& s : onnx::OpSchemaRegistry::get_all_schemas_with_history()) {
    Row r;
    r.domain = s.domain();
    r.op = s.Name();
    r.since = s.SinceVersion();
    r.min_inputs = s.min_input();
    r.max_inputs = s.max_input();
    for (const auto& formal : s.inputs()) {
      bool tensor_only = !formal.GetTypes().empty(), accepts_none = false;
      for (const auto* type : formal.GetTypes()) {
        if (type->rfind("tensor(", 0) != 0) tensor_only = false;
        if (type->rfind("optional(", 0) == 0) accepts_none = true;
      }
      r.inputs.emplace_back(formal.GetOption() == onnx::OpSchema::Single, tensor_only, accepts_none);
    }
    rows.push_back(std::move(r));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.domain, a.op, a.since) < std::tie(b.domain, b.op, b.since);
  });
  std::ofstream out(argv[1]);
  out << "// Generated at build time by tools/gen_op_requirements.cc from libonnx's schemas. Do not edit.\n"
      << "#include \"ops/op_requirements_table.h\"\n\nnamespace edgerun::op_table {\n\n"
      << "const InputFlags kInputs[] = {\n";
  size_t first = 0;
  std::vector<size_t> firsts;
  for (const Row& r : rows) {
    firsts.push_back(first);
    for (const auto& [req, tensor, none] : r.inputs) {
      out << "    {" << req << ", " << tensor << ", " << none << "},\n";
      ++first;
    }
  }
  if (first == 0) out << "    {0, 0, 0},\n";
  out << "};\n\nconst SchemaEntry kEntries[] = {\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    out << "    {" << Quote(r.domain) << ", " << Quote(r.op) << ", " << r.since << ", " << r.min_inputs << ", "
        << r.max_inputs << ", " << firsts[i] << ", " << r.inputs.size() << "},\n";
  }
  out << "};\n\nconst size_t kNumEntries = " << rows.size() << ";\n\n}  // namespace edgerun::op_table\n";
  out.close();
  if (!out) {
    std::fprintf(stderr, "%s: cannot write %s\n", argv[0], argv[1]);
    return 1;
  }
  return 0;
}
