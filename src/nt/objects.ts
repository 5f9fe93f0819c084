/**
 * Object manager routines as drivers call them around system threads (WDK
 * ObReferenceObjectByHandle, ObDereferenceObject, ZwClose): a handle is the object itself, so
 * referencing hands it back and dereferencing and closing do nothing.
 */
import type { HANDLE } from './threads.ts';
import { STATUS_SUCCESS, type NTSTATUS } from './ntstatus.ts';

export class ObjectManager {
  /** The handle is the object: Object.value = Handle. */
  ObReferenceObjectByHandle(
    Handle: HANDLE,
    DesiredAccess: number,
    ObjectType: unknown,
    AccessMode: number,
    Object: { value: unknown },
    HandleInformation: unknown,
  ): NTSTATUS {
    void DesiredAccess;
    void ObjectType;
    void AccessMode;
    void HandleInformation;
    Object.value = Handle;
    return STATUS_SUCCESS;
  }

  ObDereferenceObject(Object: unknown): void {
    void Object;
  }

  ZwClose(Handle: unknown): NTSTATUS {
    void Handle;
    return STATUS_SUCCESS;
  }
}
