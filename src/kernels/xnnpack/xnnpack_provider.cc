// Placeholder XNNPACK provider (claims nothing) until the real one lands.
#include "runtime/provider.h"

namespace edgerun {

namespace {
class XnnpackProvider final : public ExecutionProvider {
 public:
  const char* name() const override { return "xnnpack"; }
  bool Claims(const ir::Graph&, const ir::Node&) const override { return false; }
  Result<std::unique_ptr<Kernel>> Compile(const ir::Graph&, const Partition&) const override {
    return Unsupported("xnnpack provider: not built yet");
  }
};
}  // namespace

Result<std::unique_ptr<ExecutionProvider>> CreateXnnpackProvider(const ProviderContext&) {
  return std::unique_ptr<ExecutionProvider>(std::make_unique<XnnpackProvider>());
}

}  // namespace edgerun
