// Version string of the agent library (reported in the agent's _info metric and logs).
namespace edgerun::agent {
const char* AgentVersion() { return "0.1.0"; }
}  // namespace edgerun::agent
