/**
 * Scenarios whose failure needs two choices to take non-default values together, each visible
 * alone as new coverage: the coverage strategy climbs to them one step at a time, plain seeds do
 * not (or never do, when the choices are allocation failures the scenario does not ask for).
 */
import { defineScenario } from '../../../src/explore/scenario.ts';
import {
  MAKE_WSK_VERSION,
  NonPagedPoolNx,
  WSK_REGISTRATION,
  type WSK_CLIENT_NPI,
} from '../../../src/wsk/index.ts';

/** Two chances of 1%: a run fails only when both come out true (1 run in 10,000 by seed). */
export const twoDoors = defineScenario<{ first: boolean; second: boolean }>({
  name: 'two-doors',
  description: 'fails when two rare chances both come out true',
  build(sim) {
    const stream = sim.core.choices.stream('doors');
    const first = stream.chance('first door opens', 0.01);
    const second = stream.chance('second door opens', 0.01);
    sim.sometimes('first door open', first);
    sim.sometimes('second door open', second);
    sim.sometimes('a door that has no chance at all', false);
    return { first, second };
  },
  check(_run, doors) {
    if (doors.first && doors.second) throw new Error('both doors open');
  },
});

/**
 * A driver that retries a failed IRP allocation once, and when the retry fails too returns
 * without freeing its pool block or deregistering: a leak only two allocation failures in a row
 * show. Its own options fail nothing, so a seed alone never finds it.
 */
export const retryLeak = defineScenario({
  name: 'retry-leak',
  description: 'leaks its context when an IRP allocation and its retry both fail',
  build(sim) {
    sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
    sim.load('server', async (k) => {
      const ClientNpi: WSK_CLIENT_NPI = {
        ClientContext: null,
        Dispatch: { Version: MAKE_WSK_VERSION(1, 0), Reserved: 0, WskClientEvent: null },
      };
      const Registration = new WSK_REGISTRATION();
      k.WskRegister(ClientNpi, Registration);
      const context = k.ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'Ctx ');
      if (context === null) {
        await k.WskDeregister(Registration);
        return;
      }
      const Irp = k.IoAllocateIrp(1, false) ?? k.IoAllocateIrp(1, false);
      if (Irp === null) return; // the bug: the context and the registration are left behind
      k.IoFreeIrp(Irp);
      k.ExFreePoolWithTag(context, 'Ctx ');
      await k.WskDeregister(Registration);
    });
    return {};
  },
});
