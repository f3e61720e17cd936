// Provider lookup by name.
#include "runtime/provider.h"

namespace edgerun {

Result<std::unique_ptr<ExecutionProvider>> CreateProvider(const std::string& name, const ProviderContext& ctx) {
  if (name == "cpu" || name == "reference") return std::unique_ptr<ExecutionProvider>();
  if (name == "xnnpack") return CreateXnnpackProvider(ctx);
  return InvalidArgument("unknown execution provider '" + name + "' (available: xnnpack, cpu)");
}

}  // namespace edgerun
