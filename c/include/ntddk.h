/*
 * ntddk.h: wdm.h and the routines ntddk.h adds that the model implements (none beyond wdm.h's
 * yet), so sources that include ntddk.h compile unchanged.
 */
#ifndef WSKSIM_NTDDK_H
#define WSKSIM_NTDDK_H
#include "wdm.h"
#endif
