// Queries over ops.def, the closed operator list.
#pragma once

#include <string>
#include <vector>

namespace edgerun {

// True when (domain, op_type) is in ops.def. "ai.onnx" is treated as "".
bool IsKnownOp(const std::string& domain, const std::string& op_type);
// Domain of edgerun's own operators (FusedConv), opset 1; written by the optimization passes.
inline constexpr char kEdgerunDomain[] = "com.edgerun";
// Domains edgerun understands.
bool IsKnownDomain(const std::string& domain);
// Newest opset of the default domain edgerun accepts.
constexpr int kMaxDefaultOpset = 21;
constexpr int kMinDefaultOpset = 1;

}  // namespace edgerun
