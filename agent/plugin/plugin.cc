#include "agent/plugin/plugin.h"

#include "agent/loop/handle.h"

namespace cistern::plugin {

void BlockingInput::Collect(const CollectRequest& request, CollectDone done) {
  auto status = std::make_shared<Status>();
  int64_t ts = request.timestamp_ms;
  storage::Appender* appender = request.appender;
  loop::QueueWork(
      loop_, [this, status, ts, appender] { *status = CollectBlocking(ts, *appender); },
      [status, done = std::move(done)](Status queued) {
        done(queued.ok() ? std::move(*status) : queued);
      });
}

void Registry::Register(Descriptor descriptor) { descriptors_.push_back(std::move(descriptor)); }

const Descriptor* Registry::Find(std::string_view name) const {
  for (const Descriptor& d : descriptors_) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

}  // namespace cistern::plugin
