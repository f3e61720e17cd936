// Version of the cloud service (reported by /metrics as edgerun_cloud_build_info).
#pragma once

namespace edgerun::cloud {
const char* CloudVersion();
}  // namespace edgerun::cloud
