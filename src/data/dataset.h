// Datasets in the one layout every edgerun tool that takes data uses (docs/models.md):
//  - a .npy with a leading sample axis [N, ...] (single-input models), or a directory holding
//    input_<k>.npy, one per graph input, all with the same N;
//  - a directory of samples: one subdirectory per sample (sorted by name) with input_<k>.pb or
//    input_<k>.npy, or, for single-input models, one .npy/.pb file per sample;
//  - optional labels.npy ([N] integers) beside the .npy or inside the directory;
//  - IDX files (MNIST/Fashion-MNIST, optionally gzip-compressed) read straight from Debian's
//    dataset packages.
// Thread-safety: a loaded Dataset is immutable; concurrent reads are safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"

namespace edgerun::data {

class Dataset {
 public:
  Dataset() = default;
  // inputs[k]: all samples of input k stacked on a leading axis; labels: int64 [N] or empty.
  static Result<Dataset> FromStacked(std::vector<Tensor> inputs, std::optional<Tensor> labels);

  size_t size() const { return size_; }
  size_t num_inputs() const { return inputs_.size(); }
  const std::vector<Tensor>& stacked_inputs() const { return inputs_; }
  bool has_labels() const { return labels_.has_value(); }
  int64_t label(size_t i) const { return labels_->data<int64_t>()[i]; }
  // Sample i of every input as a [1, ...] tensor sharing the dataset's storage.
  std::vector<Tensor> Sample(size_t i) const;

 private:
  std::vector<Tensor> inputs_;
  std::optional<Tensor> labels_;
  size_t size_ = 0;
};

// Loads a dataset from `path` (a .npy, a .pb or a directory; see above). Errors name the file.
Result<Dataset> LoadDataset(const std::string& path);

// Reads an IDX file (.gz allowed) into a tensor of its element type (uint8, int8, int16,
// int32, float, double) and shape.
Result<Tensor> ReadIdxFile(const std::string& path);

// Fashion-MNIST/MNIST images and labels as a dataset: images become float32 [N, 1, rows, cols]
// scaled by 1/255; labels int64 [N].
Result<Dataset> LoadIdxImageDataset(const std::string& images_path, const std::string& labels_path);

}  // namespace edgerun::data
