// Version string of the cloud service (reported by its /metrics and logs).
#include "cloud/cloud_version.h"

namespace edgerun::cloud {
const char* CloudVersion() { return "0.1.0"; }
}  // namespace edgerun::cloud
