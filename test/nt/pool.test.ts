import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/sim/index.ts';
import {
  DISPATCH_LEVEL,
  IRP,
  Kernel,
  MDL,
  NonPagedPool,
  NonPagedPoolNx,
  NormalPagePriority,
  PagedPool,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_UNSUCCESSFUL,
  tagText,
  type KernelOptions,
} from '../../src/wsk/index.ts';

function setup(options: KernelOptions = {}): { sim: Simulator; k: Kernel } {
  const sim = new Simulator({ seed: 3, keepTrace: true });
  return { sim, k: new Kernel(sim, 'server', options) };
}

async function failedWith(sim: Simulator): Promise<string | undefined> {
  const outcome = await sim.run();
  expect(outcome.failure?.kind).toBe('violation');
  return outcome.failure?.message.split(':')[0];
}

interface Ctx {
  count: number;
  name: string;
}

describe('wsk: pool', () => {
  it('pool types have their wdm.h values', () => {
    expect([NonPagedPool, PagedPool, NonPagedPoolNx]).toEqual([0, 1, 512]);
  });

  it('an allocation is an object the driver keeps fields on; leaks() lists what is not freed', async () => {
    const { sim, k } = setup();
    const a = k.ExAllocatePoolWithTag<Ctx>(NonPagedPoolNx, 64, 'Echo') as Ctx;
    const b = k.ExAllocatePoolWithTag<Ctx>(NonPagedPool, 128, 0x6f686345) as Ctx;
    a.count = 3;
    a.name = 'listener';
    expect({ ...a }).toEqual({ count: 3, name: 'listener' });
    expect(k.leaks()).toEqual([
      { tag: 'Echo', bytes: 64, poolType: NonPagedPoolNx },
      { tag: 'Echo', bytes: 128, poolType: NonPagedPool },
    ]);
    k.ExFreePoolWithTag(a, 'Echo');
    expect(k.leaks()).toEqual([{ tag: 'Echo', bytes: 128, poolType: NonPagedPool }]);
    k.ExFreePoolWithTag(b, 0x6f686345);
    expect(k.leaks()).toEqual([]);
    expect((await sim.run()).status).toBe('quiescent');
    expect(sim.trace.records().filter((r) => r.type === 'nt.pool').map((r) => r['event'])).toEqual([
      'allocated',
      'allocated',
      'freed',
      'freed',
    ]);
  });

  it('tags print in memory order, as debuggers show them', () => {
    expect(tagText(0x6f686345)).toBe('Echo');
    expect(tagText('Tsk1')).toBe('Tsk1');
  });

  it('an injected failure (probability 1) returns null and allocates nothing', () => {
    const { k } = setup({ poolAllocationFailure: 1 });
    expect(k.ExAllocatePoolWithTag(NonPagedPool, 16, 'Echo')).toBeNull();
    expect(k.leaks()).toEqual([]);
  });

  it('a read of freed pool is POOL-USE-AFTER-FREE, caught at the access', async () => {
    const { sim, k } = setup();
    const ctx = k.ExAllocatePoolWithTag<Ctx>(NonPagedPool, 16, 'Echo') as Ctx;
    ctx.count = 1;
    let read: unknown = 'not read';
    sim.schedule(2e6, 'stale completion', () => {
      k.ExFreePoolWithTag(ctx, 'Echo');
      expect(k.violations).toEqual([]);
      read = ctx.count;
      expect(k.violations.map((v) => v.rule)).toEqual(['POOL-USE-AFTER-FREE']);
    });
    expect(await failedWith(sim)).toBe('POOL-USE-AFTER-FREE');
    expect(read).toBeUndefined();
    expect(sim.failure?.at).toBe(2e6);
  });

  it('the runtime reading symbols or `then` of a freed block is not a driver access', async () => {
    const { sim, k } = setup();
    const ctx = k.ExAllocatePoolWithTag<Ctx>(NonPagedPool, 16, 'Echo') as Ctx;
    k.ExFreePoolWithTag(ctx, 'Echo');
    expect(await Promise.resolve(ctx)).toBe(ctx);
    expect(String(Object.prototype.toString.call(ctx))).toBe('[object Object]');
    expect(k.violations).toEqual([]);
    expect((await sim.run()).status).toBe('quiescent');
  });

  it('a write to freed pool is POOL-USE-AFTER-FREE too', async () => {
    const { sim, k } = setup();
    const ctx = k.ExAllocatePoolWithTag<Ctx>(NonPagedPool, 16, 'Echo') as Ctx;
    k.ExFreePoolWithTag(ctx, 'Echo');
    ctx.name = 'x';
    expect(await failedWith(sim)).toBe('POOL-USE-AFTER-FREE');
  });

  it('paged pool touched at DISPATCH_LEVEL is POOL-PAGED-AT-DISPATCH; at PASSIVE it is fine', async () => {
    const { sim, k } = setup();
    const ctx = k.ExAllocatePoolWithTag<Ctx>(PagedPool, 16, 'Echo') as Ctx;
    ctx.count = 1;
    expect(k.violations).toEqual([]);
    k.runAt(DISPATCH_LEVEL, () => ctx.count);
    expect(await failedWith(sim)).toBe('POOL-PAGED-AT-DISPATCH');
  });

  it('non-paged pool at DISPATCH_LEVEL is fine; paged allocation there is IRQL-TOO-HIGH', async () => {
    const { sim, k } = setup();
    k.runAt(DISPATCH_LEVEL, () => {
      const ctx = k.ExAllocatePoolWithTag<Ctx>(NonPagedPool, 16, 'Echo') as Ctx;
      ctx.count = 2;
      k.ExFreePoolWithTag(ctx, 'Echo');
    });
    expect(k.violations).toEqual([]);
    expect(k.runAt(DISPATCH_LEVEL, () => k.ExAllocatePoolWithTag(PagedPool, 16, 'Echo'))).toBeNull();
    expect(await failedWith(sim)).toBe('IRQL-TOO-HIGH');
  });

  it('double free, wrong tag and foreign memory are violations', async () => {
    for (const [misuse, rule] of [
      ['double', 'POOL-DOUBLE-FREE'],
      ['tag', 'POOL-TAG-MISMATCH'],
      ['foreign', 'POOL-FREE-FOREIGN'],
    ] as const) {
      const { sim, k } = setup();
      const p = k.ExAllocatePoolWithTag(NonPagedPool, 8, 'Echo') as object;
      if (misuse === 'double') {
        k.ExFreePoolWithTag(p, 'Echo');
        k.ExFreePoolWithTag(p, 'Echo');
      } else if (misuse === 'tag') k.ExFreePoolWithTag(p, 'Ohce');
      else k.ExFreePoolWithTag({}, 'Echo');
      expect(await failedWith(sim)).toBe(rule);
    }
  });

  it("each nt.pool record carries the block id a violation names, so 'block #N' is found", async () => {
    const { sim, k } = setup();
    const a = k.ExAllocatePoolWithTag(NonPagedPool, 8, 'Echo') as object;
    const b = k.ExAllocatePoolWithTag(NonPagedPool, 24, 'Echo') as object;
    k.ExFreePoolWithTag(a, 'Echo');
    sim.schedule(3e6, 'second free', () => {
      k.ExFreePoolWithTag(b, 'Echo');
      k.ExFreePoolWithTag(b, 'Echo');
    });
    await sim.run();
    expect(sim.failure?.message).toMatch(/^POOL-DOUBLE-FREE: block #2 tag Echo/);
    const pool = sim.trace.records().filter((r) => r.type === 'nt.pool');
    expect(pool.map((r) => [r.at, r.event, r.block, r.bytes])).toEqual([
      [0, 'allocated', 1, 8],
      [0, 'allocated', 2, 24],
      [0, 'freed', 1, 8],
      [3e6, 'freed', 2, 24],
    ]);
  });

  it('a use after free names the same block id as the trace; a failed allocation has none', async () => {
    const { sim, k } = setup({ poolAllocationFailure: 0 });
    k.ExAllocatePoolWithTag(NonPagedPool, 8, 'Keep');
    const ctx = k.ExAllocatePoolWithTag<Ctx>(NonPagedPool, 16, 'Echo') as Ctx;
    k.ExFreePoolWithTag(ctx, 'Echo');
    void ctx.count;
    await sim.run();
    expect(sim.failure?.message).toMatch(/^POOL-USE-AFTER-FREE: read of count on pool block #2 /);
    const freed = sim.trace.records().filter((r) => r.type === 'nt.pool' && r.event === 'freed');
    expect(freed.map((r) => (r.type === 'nt.pool' ? r.block : null))).toEqual([2]);
    const failing = setup({ poolAllocationFailure: 1 });
    failing.k.ExAllocatePoolWithTag(NonPagedPool, 16, 'Echo');
    const [record] = failing.sim.trace.records().filter((r) => r.type === 'nt.pool');
    expect(record).toMatchObject({ event: 'allocation-failed', block: undefined, tag: 'Echo' });
  });
});

describe('wsk: MDLs over Uint8Array', () => {
  it('describes the first Length bytes; the system address is a view on the buffer', () => {
    const { k } = setup();
    const buffer = new Uint8Array([1, 2, 3, 4, 5, 6]);
    const mdl = k.IoAllocateMdl(buffer, 4, false, false, null) as MDL;
    expect(k.MmGetMdlByteCount(mdl)).toBe(4);
    const view = k.MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) as Uint8Array;
    expect([...view]).toEqual([1, 2, 3, 4]);
    view[0] = 9;
    expect(buffer[0]).toBe(9);
    expect(mdl.Next).toBeNull();
    k.IoFreeMdl(mdl);
    expect(k.mdls.outstanding).toBe(0);
  });

  it('with an IRP: the first becomes Irp.MdlAddress, secondary buffers chain through Next', () => {
    const { k } = setup();
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    const first = k.IoAllocateMdl(new Uint8Array(10), 10, false, false, Irp) as MDL;
    const second = k.IoAllocateMdl(new Uint8Array(20), 5, true, false, Irp) as MDL;
    const third = k.IoAllocateMdl(new Uint8Array(3), 3, true, false, Irp) as MDL;
    expect(Irp.MdlAddress).toBe(first);
    expect(first.Next).toBe(second);
    expect(second.Next).toBe(third);
    let total = 0;
    for (let m: MDL | null = Irp.MdlAddress; m !== null; m = m.Next) total += k.MmGetMdlByteCount(m);
    expect(total).toBe(18);
    expect(k.mdls.outstanding).toBe(3);
  });

  it('allocation failure returns null; a freed MDL used again is a violation', async () => {
    const failing = setup({ mdlAllocationFailure: 1 });
    expect(failing.k.IoAllocateMdl(new Uint8Array(4), 4, false, false, null)).toBeNull();
    const { sim, k } = setup();
    const mdl = k.IoAllocateMdl(new Uint8Array(4), 4, false, false, null) as MDL;
    k.IoFreeMdl(mdl);
    expect(k.MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority)).toBeNull();
    expect(await failedWith(sim)).toBe('MDL-USE-AFTER-FREE');
  });

  it('a length past the buffer is MDL-BAD-LENGTH', async () => {
    const { sim, k } = setup();
    expect(k.IoAllocateMdl(new Uint8Array(4), 5, false, false, null)).toBeNull();
    expect(await failedWith(sim)).toBe('MDL-BAD-LENGTH');
  });

  it('a driver-owned IRP can carry its MDL through completion and reuse', () => {
    const { k } = setup();
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoAllocateMdl(new Uint8Array(4), 4, false, false, Irp);
    k.IoSetCompletionRoutine(Irp, () => STATUS_MORE_PROCESSING_REQUIRED, null, true, true, true);
    k.IoReuseIrp(Irp, STATUS_UNSUCCESSFUL);
    expect(Irp.MdlAddress).toBeNull();
  });
});
