// One explicit registration line per plugin (self-registering statics get
// dropped by the linker from static libraries).
#include "agent/plugin/plugin.h"

namespace cistern::plugins {

namespace self { plugin::Descriptor Describe(); }

void RegisterBuiltins(plugin::Registry* registry) {
  registry->Register(self::Describe());
}

}  // namespace cistern::plugins
