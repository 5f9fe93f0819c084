/*
 * inspect-abort-race-fixed.c: the correct twin of inspect-abort-race.c, the same source built with
 * FIXED defined (scenarios/inspect-abort-race-c-fixed.ts). Its WskAbortEvent only marks the
 * request's record as aborted; the work item, the last to hold the record, frees it and skips
 * WskInspectComplete for an aborted request.
 *
 *   npx wsksim build-driver scenarios/c/inspect-abort-race-fixed.c \
 *     -o .wsksim/c/inspect-abort-race-fixed.wasm
 */
#define FIXED 1
#include "inspect-abort-race.c"
