/**
 * The MDL routines a C driver imports (wdm.h), each the model's (src/nt/mdl-routines.ts) on the
 * C MDL's model MDL (mirrors.ts): IoAllocateMdl over the driver's own buffer, IoFreeMdl, and the
 * readers MmGetSystemAddressForMdlSafe and MmGetMdlByteCount, which wdm.h defines as a macro and
 * an inline function reading the MDL's fields ("MmGetSystemAddressForMdlSafe macro (wdm.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmgetsystemaddressformdlsafe;
 * "MmGetMdlByteCount macro (wdm.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmgetmdlbytecount). Here they
 * are calls, so that one on an MDL freed or given back (an indication after its callback, or
 * after WskRelease) is the model's MDL-USE-AFTER-FREE; the address returned is the C MDL's
 * MappedSystemVa (no pages are modelled: every MDL is mapped), NULL when the model says so.
 */
import type { CDriver } from './c-driver.ts';
import { MDL_LAYOUT } from './layout.ts';
import type { Mirrors } from './mirrors.ts';

type Import = (...args: never[]) => number | void;

export function mdlImports(d: CDriver, m: Mirrors): Record<string, Import> {
  const k = d.kernel;
  return {
    IoAllocateMdl: (
      VirtualAddress: number, Length: number, SecondaryBuffer: number, ChargeQuota: number,
      Irp: number,
    ): number => {
      const irp = m.irpOrNull(Irp, 'IoAllocateMdl');
      const length = Length >>> 0;
      // The buffer must be the driver's memory: one past its end is a bad pointer (a crash).
      if (length > 0) d.u8(VirtualAddress + length - 1);
      const bytes = m.linearBytes(VirtualAddress, length);
      const mdl = k.IoAllocateMdl(bytes, length, SecondaryBuffer !== 0, ChargeQuota !== 0, irp);
      if (mdl === null) return 0;
      const address = m.newMdl(mdl, VirtualAddress);
      if (irp !== null) m.syncIrp(irp);
      return address;
    },
    IoFreeMdl: (Mdl: number): void => {
      const mdl = m.mdl(Mdl, 'IoFreeMdl');
      const first = !mdl.freed;
      k.IoFreeMdl(mdl);
      if (first) m.freeMdl(Mdl);
    },
    MmGetSystemAddressForMdlSafe: (Mdl: number, Priority: number): number => {
      const mdl = m.mdl(Mdl, 'MmGetSystemAddressForMdlSafe');
      if (k.MmGetSystemAddressForMdlSafe(mdl, Priority) === null) return 0;
      return d.u32(Mdl + MDL_LAYOUT.MappedSystemVa);
    },
    MmGetMdlByteCount: (Mdl: number): number =>
      k.MmGetMdlByteCount(m.mdl(Mdl, 'MmGetMdlByteCount')),
  };
}
