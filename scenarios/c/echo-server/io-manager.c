/*
 * io-manager.c: the part of the I/O manager that scenarios/echo-server-c.ts needs and the bridge
 * does not do yet: keep the DRIVER_OBJECT that DriverEntry was given and, at unload, call the
 * DriverUnload routine DriverEntry stored in it, as Windows does before it unmaps the image
 * ("DRIVER_UNLOAD callback function (wdm.h)",
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nc-wdm-driver_unload).
 * Linked beside the driver (not part of it): the scenario loads the driver with
 * IoManagerLoadDriver as its entry, which calls the driver's own DriverEntry, and runs
 * IoManagerUnloadDriver in a system thread of its own when it unloads the driver.
 */
#include <wdm.h>

#define EXPORT(name) __attribute__((export_name(#name)))
#define SCENARIO(name) __attribute__((import_module("scenario"), import_name(#name)))

DRIVER_INITIALIZE DriverEntry;

/* Tells the scenario what DriverEntry returned (a failure: the driver is not loaded). */
SCENARIO(DriverEntryReturned) VOID ScenarioDriverEntryReturned(NTSTATUS Status);

static PDRIVER_OBJECT IoManagerDriverObject = NULL;

EXPORT(IoManagerLoadDriver)
NTSTATUS IoManagerLoadDriver(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  NTSTATUS status;

  IoManagerDriverObject = DriverObject;
  status = DriverEntry(DriverObject, RegistryPath);
  ScenarioDriverEntryReturned(status);
  return status;
}

/* Unloads the driver: a driver whose DriverEntry set no DriverUnload cannot be unloaded. */
EXPORT(IoManagerUnloadDriver)
VOID IoManagerUnloadDriver(VOID) {
  if (IoManagerDriverObject != NULL && IoManagerDriverObject->DriverUnload != NULL) {
    IoManagerDriverObject->DriverUnload(IoManagerDriverObject);
  }
}
