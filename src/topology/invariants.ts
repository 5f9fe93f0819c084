/**
 * The topology layer's invariants, checked by tests after every event (docs/design.md#assertions,
 * after TigerBeetle's checkers). Each is a property the packet path relies on but does not re-check
 * on every packet: queues within capacity, transmitters never idle behind their own queue,
 * addresses owned by exactly the host that lists them, held packets kept only for held pairs and
 * headed for their own target, cached routes leaving from the node that caches them.
 */
import { assert } from '../sim/index.ts';
import type { HostState } from './host.ts';
import type { Link, LinkDirection } from './link.ts';
import type { NodeState } from './node.ts';
import type { Payload } from './packet.ts';
import type { Vertex } from './vertex.ts';
import type { World } from './world.ts';

function checkDirection(direction: LinkDirection, now: number): void {
  const queued = direction.queued(now);
  const name = direction.name;
  assert(queued <= direction.options.queuePackets, `link ${name}: ${queued} queued past capacity`);
  if (queued > 0) assert(direction.busyUntil > now, `link ${name}: queue behind an idle sender`);
  assert(direction.admitted >= 0, `link ${direction.name}: negative admitted count`);
}

function checkLink(link: Link, index: number, now: number): void {
  assert(link.index === index, `link ${link.name}: index ${link.index} at position ${index}`);
  assert(link.forward.from === link.reverse.to, `link ${link.name}: directions disagree on a`);
  assert(link.forward.to === link.reverse.from, `link ${link.name}: directions disagree on b`);
  assert(link.epoch >= 0, `link ${link.name}: negative epoch`);
  checkDirection(link.forward, now);
  checkDirection(link.reverse, now);
}

function checkNode(node: NodeState, index: number, byName: ReadonlyMap<string, NodeState>): void {
  assert(node.index === index, `node ${node.name}: index ${node.index} at position ${index}`);
  assert(byName.get(node.name) === node, `node ${node.name}: not found by its name`);
  if (node.kind === 'host') assert(node.host !== null, `host ${node.name} has no host state`);
  if (node.kind !== 'host') assert(node.host === null, `${node.kind} ${node.name} has host state`);
  for (const direction of node.out) {
    assert(direction.from === node, `node ${node.name}: lists ${direction.name} as outgoing`);
  }
  for (const hop of node.routes) {
    if (hop === null || hop === undefined) continue;
    assert(hop.from === node, `node ${node.name}: a route leaves from ${hop.from.name}`);
  }
}

function checkHost<P extends Payload>(
  host: HostState<P>, byAddress: ReadonlyMap<string, HostState<P>>,
): void {
  assert(host.addresses.length > 0, `host ${host.name} has no address`);
  for (const address of host.addresses) {
    assert(byAddress.get(address) === host, `host ${host.name}: ${address} owned by another host`);
  }
  assert(host.epoch >= 0, `host ${host.name}: negative epoch`);
  assert(host.received >= 0, `host ${host.name}: negative received count`);
}

export function checkNetworkInvariants<P extends Payload>(world: World<P>): void {
  const now = world.sim.now;
  world.nodes.forEach((node, index) => checkNode(node, index, world.nodesByName));
  world.links.forEach((link, index) => checkLink(link, index, now));
  for (const [address, host] of world.hostsByAddress) {
    assert(host.isLocal(address), `address ${address} maps to host ${host.name}, not its owner`);
    checkHost(host, world.hostsByAddress);
  }
  for (const { a, b, buffer } of world.faults.holds()) {
    const pair: (Vertex | undefined)[] = [world.nodes[a], world.nodes[b]];
    for (const packet of buffer) {
      assert(packet.to !== null, `held packet ${packet.id} has no target host`);
      assert(pair.includes(packet.from.node), `held packet ${packet.id} is from outside its hold`);
      assert(pair.includes(packet.to.node), `held packet ${packet.id} is for outside its hold`);
      assert(packet.to.isLocal(packet.target), `held packet ${packet.id} is for the wrong host`);
    }
  }
}
