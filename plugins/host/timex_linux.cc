#include <sys/timex.h>

#include <cerrno>

#include "agent/base/file_util.h"
#include "plugins/host/timex.h"

namespace cistern::plugins::host {

StatusOr<TimexReading> ReadTimex() {
  struct timex tx = {};  // modes = 0: read only, no privilege needed
  int state = ::adjtimex(&tx);
  if (state == -1) {
    int err = errno;
    std::string msg = "timex: adjtimex: " + ErrnoMessage(err);
    if (err == EPERM) return NotFoundError(msg);
    return UnavailableError(msg);
  }
  TimexReading r;
  r.state = state;
  r.offset = tx.offset;
  r.freq = tx.freq;
  r.maxerror = tx.maxerror;
  r.esterror = tx.esterror;
  r.status = tx.status;
  r.constant = tx.constant;
  r.tick = tx.tick;
  r.ppsfreq = tx.ppsfreq;
  r.jitter = tx.jitter;
  r.shift = tx.shift;
  r.stabil = tx.stabil;
  r.jitcnt = tx.jitcnt;
  r.calcnt = tx.calcnt;
  r.errcnt = tx.errcnt;
  r.stbcnt = tx.stbcnt;
  r.tai = tx.tai;
  return r;
}

}  // namespace cistern::plugins::host
