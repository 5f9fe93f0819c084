/**
 * A scenario's fuzz space (ScenarioDefinition.fuzz): what a campaign may vary beyond the
 * scenario's own options. Kernel knobs (allocation failures, pended completions, PASSIVE
 * callbacks, the accept and receive callback races, WskAccept pending with a connection waiting)
 * vary on every host with a kernel, or on the hosts listed, within bounds; a knob given `false`
 * stays at the scenario's value. Link faults (loss, duplication, reordering) vary only when the
 * scenario declares them: a strategy never makes a link lossy that the scenario did not allow.
 */
import { SimConfigError, checkNumber } from '../sim/index.ts';

/** An inclusive range of a probability. */
export type Bounds = readonly [min: number, max: number];

/** The kernel options a campaign may vary. */
export const KERNEL_KNOBS = [
  'irpAllocationFailure',
  'poolAllocationFailure',
  'mdlAllocationFailure',
  'workItemAllocationFailure',
  'pendingCompletions',
  'passiveCallbacks',
  'acceptCallbackRace',
  'receiveCallbackRace',
  'acceptReadyPends',
] as const;
export type KernelKnob = (typeof KERNEL_KNOBS)[number];

/** The link faults a scenario may allow. */
export const LINK_FAULTS = ['loss', 'duplicate', 'reorder'] as const;
export type LinkFault = (typeof LINK_FAULTS)[number];

/** The allocation failures among the knobs: a systematic campaign injects these by site. */
export const ALLOCATION_KNOBS: Readonly<Record<string, KernelKnob>> = {
  irp: 'irpAllocationFailure',
  pool: 'poolAllocationFailure',
  mdl: 'mdlAllocationFailure',
  'work item': 'workItemAllocationFailure',
};

export interface FuzzSpace {
  /** The hosts whose kernel knobs vary. @defaultValue every host with a kernel */
  readonly hosts?: readonly string[];
  /** Bounds per kernel knob, or false to keep the scenario's value. @defaultValue KNOB_BOUNDS */
  readonly kernel?: Partial<Readonly<Record<KernelKnob, Bounds | false>>>;
  /** Link faults that may be raised on every link, with bounds. @defaultValue none */
  readonly links?: Partial<Readonly<Record<LinkFault, Bounds>>>;
}

/** A fuzz space with every default filled in. */
export interface ResolvedFuzzSpace {
  /** Host names, or ['*'] for every host. */
  readonly hosts: readonly string[];
  readonly kernel: ReadonlyMap<KernelKnob, Bounds>;
  readonly links: ReadonlyMap<LinkFault, Bounds>;
}

/** The bounds of each knob when the scenario declares none. */
export const KNOB_BOUNDS: Readonly<Record<KernelKnob, Bounds>> = {
  irpAllocationFailure: [0, 0.1],
  poolAllocationFailure: [0, 0.1],
  mdlAllocationFailure: [0, 0.1],
  workItemAllocationFailure: [0, 0.1],
  pendingCompletions: [0, 1],
  passiveCallbacks: [0, 1],
  acceptCallbackRace: [0, 1],
  receiveCallbackRace: [0, 1],
  acceptReadyPends: [0, 1],
};

/** Rejects a malformed fuzz space, naming the field. */
export function checkFuzzSpace(where: string, space: FuzzSpace): void {
  if (typeof space !== 'object' || space === null)
    throw new SimConfigError(where, 'expected { hosts?, kernel?, links? }');
  for (const key of Object.keys(space)) {
    if (key !== 'hosts' && key !== 'kernel' && key !== 'links')
      throw new SimConfigError(`${where}.${key}`, 'expected hosts, kernel or links');
  }
  if (space.hosts !== undefined) {
    if (!Array.isArray(space.hosts) || space.hosts.some((h) => typeof h !== 'string'))
      throw new SimConfigError(`${where}.hosts`, 'expected an array of host names');
  }
  checkBoundsTable(`${where}.kernel`, space.kernel, KERNEL_KNOBS, true);
  checkBoundsTable(`${where}.links`, space.links, LINK_FAULTS, false);
}

function checkBoundsTable(
  where: string,
  table: object | undefined,
  names: readonly string[],
  mayBeFalse: boolean,
): void {
  if (table === undefined) return;
  if (typeof table !== 'object' || table === null)
    throw new SimConfigError(where, `expected an object keyed by ${names.join(', ')}`);
  for (const [name, bounds] of Object.entries(table)) {
    const field = `${where}.${name}`;
    if (!names.includes(name))
      throw new SimConfigError(field, `expected one of ${names.join(', ')}`);
    if (bounds === false && mayBeFalse) continue;
    if (!Array.isArray(bounds) || bounds.length !== 2)
      throw new SimConfigError(field, `expected [min, max]${mayBeFalse ? ' or false' : ''}`);
    const [min, max] = bounds as [unknown, unknown];
    checkNumber(`${field}[0]`, min, 0, 1);
    checkNumber(`${field}[1]`, max, min as number, 1);
  }
}

/** The space a campaign varies: the scenario's declaration with the defaults filled in. */
export function resolveFuzzSpace(space: FuzzSpace | undefined): ResolvedFuzzSpace {
  const kernel = new Map<KernelKnob, Bounds>();
  for (const knob of KERNEL_KNOBS) {
    const declared = space?.kernel?.[knob];
    if (declared !== false) kernel.set(knob, declared ?? KNOB_BOUNDS[knob]);
  }
  const links = new Map<LinkFault, Bounds>();
  for (const fault of LINK_FAULTS) {
    const declared = space?.links?.[fault];
    if (declared !== undefined) links.set(fault, declared);
  }
  return { hosts: space?.hosts ?? ['*'], kernel, links };
}
