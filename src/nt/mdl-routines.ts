/**
 * MDLs over Uint8Array (docs/design.md#the-wsk-surface; WskSend and WskReceive take them in a
 * WSK_BUF { Mdl, Offset, Length }: docs/model.md#the-data-path).
 *
 * IoAllocateMdl(VirtualAddress, Length, SecondaryBuffer, ChargeQuota, Irp) describes `Length`
 * bytes from the start of `VirtualAddress` (a Uint8Array standing for the buffer's virtual
 * address; a C driver's is a LinearBytes over its wasm memory). As in the WDK: with an Irp
 * and SecondaryBuffer FALSE the MDL becomes Irp.MdlAddress; with SecondaryBuffer TRUE it is
 * appended to the chain that starts at Irp.MdlAddress (linked through Next). MmGetMdlByteCount
 * returns ByteCount; MmGetSystemAddressForMdlSafe returns the bytes the MDL describes (a view,
 * so writes reach the driver's buffer). Allocation can fail (choice 'mdl allocation fails',
 * probability `mdlAllocationFailure`, default 0).
 *
 * Not modelled: pages, MmProbeAndLockPages / MmBuildMdlForNonPagedPool (the buffer is always
 * resident, so these are not needed), MDL_* flags, partial MDLs. IoFreeMdl of an MDL freed
 * before is the violation MDL-FREED-TWICE; Length 0 or past the buffer is
 * MDL-BAD-LENGTH (Windows returns NULL above its size limit; a length past the buffer would
 * describe memory the driver does not own).
 */
import type { IRP } from './irp.ts';
import type { KernelCore } from './kernel-core.ts';
import { MDL, type LinearBytes } from './mdl.ts';

export class MdlManager {
  readonly #k: KernelCore;
  #outstanding = 0;

  constructor(kernel: KernelCore) {
    this.#k = kernel;
  }

  IoAllocateMdl(
    VirtualAddress: Uint8Array | LinearBytes,
    Length: number,
    SecondaryBuffer: boolean,
    ChargeQuota: boolean,
    Irp: IRP | null,
  ): MDL | null {
    void ChargeQuota;
    const k = this.#k;
    if (!(Number.isInteger(Length) && Length > 0 && Length <= VirtualAddress.length)) {
      k.violation(
        'MDL-BAD-LENGTH',
        `IoAllocateMdl Length ${Length} for a buffer of ${VirtualAddress.length} bytes`,
      );
      return null;
    }
    if (k.allocationFails('mdl', k.options.mdlAllocationFailure)) return null;
    const mdl = new MDL(VirtualAddress.subarray(0, Length));
    this.#outstanding++;
    if (Irp !== null) {
      if (!SecondaryBuffer || Irp.MdlAddress === null) Irp.MdlAddress = mdl;
      else {
        let last = Irp.MdlAddress;
        while (last.Next !== null) last = last.Next;
        last.Next = mdl;
      }
    }
    return mdl;
  }

  IoFreeMdl(Mdl: MDL): void {
    if (Mdl.freed) return this.#k.violation('MDL-FREED-TWICE', 'IoFreeMdl on a freed MDL');
    Mdl.freed = true;
    this.#outstanding--;
  }

  MmGetMdlByteCount(Mdl: MDL): number {
    this.#check(Mdl, 'MmGetMdlByteCount');
    return Mdl.ByteCount;
  }

  MmGetSystemAddressForMdlSafe(Mdl: MDL, Priority: number): Uint8Array | null {
    void Priority;
    if (!this.#check(Mdl, 'MmGetSystemAddressForMdlSafe')) return null;
    return Mdl.bytes;
  }

  /** MDLs allocated and not freed. */
  get outstanding(): number {
    return this.#outstanding;
  }

  #check(Mdl: MDL, routine: string): boolean {
    if (!Mdl.freed) return true;
    this.#k.violation('MDL-USE-AFTER-FREE', `${routine} on a freed MDL`);
    return false;
  }
}
