// Non-template helpers shared by the elementwise reference kernels.
#include "kernels/reference/elementwise_common.h"

namespace edgerun::elementwise {

Status CheckSameDTypes(const KernelContext& ctx, size_t first, size_t count) {
  const DataType want = ctx.input(first).dtype();
  for (size_t i = first + 1; i < first + count; ++i) {
    if (!ctx.has_input(i)) continue;
    const DataType got = ctx.input(i).dtype();
    if (got != want) {
      return InvalidArgument("input " + std::to_string(i) + " has dtype " + DataTypeName(got) + ", expected " +
                             DataTypeName(want) + " like input " + std::to_string(first));
    }
  }
  return Status::Ok();
}

LegacyBroadcast ReadLegacyBroadcast(const KernelCreateContext& c) {
  LegacyBroadcast lb;
  if (c.opset >= 7) return lb;
  lb.enabled = c.node.GetInt("broadcast", 0) != 0;
  lb.has_axis = c.node.HasAttribute("axis");
  lb.axis = c.node.GetInt("axis", 0);
  return lb;
}

Result<Shape> LegacyBShape(const LegacyBroadcast& lb, const Shape& a, const Shape& b) {
  const int64_t ra = static_cast<int64_t>(a.size());
  const int64_t rb = static_cast<int64_t>(b.size());
  if (rb > ra) {
    return InvalidArgument("legacy broadcast: B " + ShapeToString(b) + " has more dims than A " + ShapeToString(a));
  }
  int64_t axis = ra - rb;
  if (lb.has_axis) {
    axis = lb.axis < 0 ? lb.axis + ra : lb.axis;
    if (axis < 0 || axis + rb > ra) {
      return InvalidArgument("legacy broadcast: axis " + std::to_string(lb.axis) + " does not fit B " +
                             ShapeToString(b) + " into A " + ShapeToString(a));
    }
  }
  Shape out(static_cast<size_t>(axis), 1);
  out.insert(out.end(), b.begin(), b.end());
  out.resize(static_cast<size_t>(ra), 1);
  return out;
}

}  // namespace edgerun::elementwise
