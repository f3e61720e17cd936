// Test helper: the value of a Result, or a gtest failure and a default value (never a crash).
#pragma once

#include <gtest/gtest.h>

#include <utility>

#include "edgerun/status.h"

namespace edgerun::cloud {

template <typename T>
T ValueOrFail(Result<T> r) {
  if (!r.ok()) {
    ADD_FAILURE() << r.status().ToString();
    return T{};
  }
  return std::move(r).value();
}

}  // namespace edgerun::cloud
