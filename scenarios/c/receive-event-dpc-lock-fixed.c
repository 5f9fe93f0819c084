/*
 * receive-event-dpc-lock-fixed.c: the correct twin of receive-event-dpc-lock.c, the same source
 * built with FIXED defined (scenarios/receive-event-dpc-lock-c-fixed.ts). Its WskReceiveEvent
 * takes the log's lock with KeAcquireSpinLock, right at any IRQL up to DISPATCH_LEVEL.
 *
 *   npx wsksim build-driver scenarios/c/receive-event-dpc-lock-fixed.c \
 *     -o .wsksim/c/receive-event-dpc-lock-fixed.wasm
 */
#define FIXED 1
#include "receive-event-dpc-lock.c"
