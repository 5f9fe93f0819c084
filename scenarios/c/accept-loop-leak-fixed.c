/*
 * accept-loop-leak-fixed.c: the correct twin of accept-loop-leak.c, the same source built with
 * FIXED defined (scenarios/accept-loop-leak-c-fixed.ts). When no IRP can be allocated for the next
 * WskAccept, its AcceptComplete still serves the connection it has just accepted; the failure
 * only ends the accept loop.
 *
 *   npx wsksim build-driver scenarios/c/accept-loop-leak-fixed.c \
 *     -o .wsksim/c/accept-loop-leak-fixed.wasm
 */
#define FIXED 1
#include "accept-loop-leak.c"
