// Conversion between onnx::TensorProto and edgerun Tensor, including external data.
// Thread-safety: stateless functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "edgerun/status.h"
#include "edgerun/tensor.h"

namespace onnx {
class TensorProto;
}

namespace edgerun::onnxio {

// Converts a TensorProto. `base_dir` resolves external data locations (which must stay inside
// it). `raw_data`, when given, stands for the proto's raw_data field (split off before parsing:
// raw_data_split.h). Fails with Corruption when the declared shape and the stored data disagree.
Result<Tensor> TensorFromProto(const onnx::TensorProto& proto, const std::string& base_dir,
                               std::optional<std::string_view> raw_data = std::nullopt);
// Fills `proto` with `t` (raw_data, except strings) and `name`.
Status TensorToProto(const Tensor& t, const std::string& name, onnx::TensorProto* proto);

// Reads a serialized TensorProto file (.pb); returns the tensor and its name.
Result<Tensor> ReadTensorProtoFile(const std::string& path, std::string* name = nullptr);
Status WriteTensorProtoFile(const Tensor& t, const std::string& name, const std::string& path);

}  // namespace edgerun::onnxio
