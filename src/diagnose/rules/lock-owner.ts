// Whose critical section a mutex-profile sample belongs to. The mutex profile
// records a contended wait at the stack of the Unlock that ended it
// (runtime/mprof.go, sync.Mutex), so the critical section is the code that calls
// Unlock: the first frame above the sync package's (and the runtime's: a deferred
// Unlock runs from runtime.deferreturn) own frames. When that code is the standard
// library's (net/http's Transport pool, a log.Logger), the lock and its critical
// section are the library's: the user's function below it only called the library
// and holds no lock of its own, so it is not a critical section to shorten.
// (godiag corpus round 6: skuprice, net/http.(*Transport).queueForIdleConn's idleMu
// under connection churn was named as a lock held in the caller's function.)

import { originOf } from "../../core/go/index.js";

const LOCK_MACHINERY = /^(sync|internal\/sync|runtime|internal\/runtime\/[\w/]+)\./;

/** Does the sample's critical section (the code calling Unlock) belong to the standard library? */
export function releasedByLibrary(frames: readonly string[]): boolean {
  for (const f of frames) {
    if (LOCK_MACHINERY.test(f)) continue;
    return originOf(f) === "stdlib";
  }
  return false;
}
