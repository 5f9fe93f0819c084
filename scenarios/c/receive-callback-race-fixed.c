/*
 * receive-callback-race-fixed.c: the correct twin of receive-callback-race.c, the same source
 * built with FIXED defined (scenarios/receive-callback-race-c-fixed.ts). Its WskReceiveEvent
 * answers an indication that comes while its WskReceive is queued with STATUS_DATA_NOT_ACCEPTED.
 *
 *   npx wsksim build-driver scenarios/c/receive-callback-race-fixed.c \
 *     -o .wsksim/c/receive-callback-race-fixed.wasm
 */
#define FIXED 1
#include "receive-callback-race.c"
