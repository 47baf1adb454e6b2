// One explicit registration line per plugin (self-registering statics get
// dropped by the linker from static libraries).
#include "agent/plugin/plugin.h"

namespace cistern::plugins {

namespace container { plugin::Descriptor Describe(); }
namespace host { plugin::Descriptor Describe(); }
namespace self { plugin::Descriptor Describe(); }
namespace webvitals { plugin::Descriptor Describe(); }

void RegisterBuiltins(plugin::Registry* registry) {
  registry->Register(container::Describe());
  registry->Register(host::Describe());
  registry->Register(self::Describe());
  registry->Register(webvitals::Describe());
}

}  // namespace cistern::plugins
