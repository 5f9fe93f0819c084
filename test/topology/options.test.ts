/**
 * Tests of src/topology/options.ts and the checks of Network's builders: every bad option is a
 * SimConfigError whose message names the option path; good options resolve once, with defaults
 * filled in and per-direction overrides applied, into frozen data.
 */
import { describe, expect, it } from 'vitest';
import { SimConfigError, Simulator, ms } from '../../src/sim/index.ts';
import { Network, type LinkOptions } from '../../src/topology/index.ts';

function twoHosts(): Network {
  const net = new Network(new Simulator({ seed: 1 }));
  net.addHost({ name: 'a', ipv4: '10.0.0.1' });
  net.addHost({ name: 'b', ipv4: '10.0.0.2' });
  return net;
}

function rejection(run: () => unknown): SimConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SimConfigError);
    return error as SimConfigError;
  }
  throw new Error('expected a SimConfigError');
}

/** Rejects `options` on the link a-b, naming `option`; returns the message. */
function rejectLink(options: unknown, option: string): string {
  const error = rejection(() => twoHosts().addLink('a', 'b', options as LinkOptions));
  expect(error.option).toBe(option);
  expect(error.message).toContain(`option '${option}'`);
  return error.message;
}

describe('topology: link options rejected', () => {
  it('negative latency → names links[a-b].latency', () => {
    expect(rejectLink({ latency: '-5ms' }, 'links[a-b].latency')).toContain('negative');
  });

  it('loss 1.5 → names links[a-b].loss', () => {
    expect(rejectLink({ loss: 1.5 }, 'links[a-b].loss')).toContain('outside [0, 1]');
  });

  it('bare number 5 as latency → names the option and shows both forms', () => {
    const message = rejectLink({ latency: 5 }, 'links[a-b].latency');
    expect(message).toContain("'5ms'");
    expect(message).toContain('ms(5)');
  });

  it("malformed '5 parsecs' → names the option", () => {
    expect(rejectLink({ latency: '5 parsecs' }, 'links[a-b].latency')).toContain('malformed duration');
  });

  it('a per-direction override is named by its path (forward.loss)', () => {
    rejectLink({ loss: 0.1, forward: { loss: 2 } }, 'links[a-b].forward.loss');
    rejectLink({ reverse: { latency: '1 fortnight' } }, 'links[a-b].reverse.latency');
  });

  it.each([
    [{ duplicate: -0.1 }, 'links[a-b].duplicate'],
    [{ reorder: 0.1 }, 'links[a-b].reorderDelay'],
    [{ bandwidth: 0 }, 'links[a-b].bandwidth'],
    [{ bandwidth: '10Mbit' }, 'links[a-b].bandwidth'],
    [{ queuePackets: 0 }, 'links[a-b].queuePackets'],
    [{ queuePackets: 1.5 }, 'links[a-b].queuePackets'],
    [{ jitter: { distribution: 'normal', max: '1ms' } }, 'links[a-b].jitter.distribution'],
    [{ jitter: { distribution: 'uniform' } }, 'links[a-b].jitter.max'],
    [{ jitter: { distribution: 'uniform', max: 3 } }, 'links[a-b].jitter.max'],
    [{ jitter: { distribution: 'exponential', mean: '2ms', max: '1ms' } }, 'links[a-b].jitter.max'],
    [{ jitter: 'lots' }, 'links[a-b].jitter'],
    [{ lossProbability: 0.1 }, 'links[a-b].lossProbability'],
    [{ forward: { bogus: 1 } }, 'links[a-b].forward.bogus'],
    [{ forward: 3 }, 'links[a-b].forward'],
  ])('%j → names %s', (options, option) => {
    rejectLink(options, option);
  });
});

describe('topology: builders rejected', () => {
  it('a link to an unknown host → names the end', () => {
    const error = rejection(() => twoHosts().addLink('a', 'c'));
    expect(error.option).toBe('links[a-c].b');
    expect(error.message).toContain('unknown node "c"');
  });

  it('a duplicate link, either way round, and a link to itself', () => {
    const net = twoHosts();
    net.addLink('a', 'b');
    expect(rejection(() => net.addLink('b', 'a')).message).toContain('already linked');
    expect(rejection(() => net.addLink('a', 'a')).option).toBe('links[a-a]');
  });

  it('a duplicate node name, a duplicate address, a host without address, a bad address', () => {
    const net = twoHosts();
    expect(rejection(() => net.addSwitch('a')).option).toBe('switches[a]');
    expect(rejection(() => net.addHost({ name: 'c', ipv4: '10.0.0.1' })).option).toBe('hosts[c].ipv4');
    expect(rejection(() => net.addHost({ name: 'c' })).option).toBe('hosts[c]');
    expect(rejection(() => net.addHost({ name: 'c', ipv6: 'fd00::g' })).option).toBe('hosts[c].ipv6');
    expect(rejection(() => net.addHost({ name: '', ipv4: '10.0.0.9' })).option).toBe('hosts[].name');
  });

  it('an IPv6 address is unique in any spelling', () => {
    const net = twoHosts();
    net.addHost({ name: 'c', ipv6: 'fd00::1' });
    expect(rejection(() => net.addHost({ name: 'd', ipv6: 'FD00:0::1' })).message).toContain('belongs to host c');
  });

  it('a fault verb naming an unknown host, a switch, or a missing link', () => {
    const net = twoHosts();
    net.addSwitch('s');
    expect(rejection(() => net.partition('a', 'z')).option).toBe('partition.b');
    expect(rejection(() => net.crash('s')).message).toContain('is a switch, not a host');
    expect(rejection(() => net.linkDown('a', 'b')).option).toBe('link-down');
    expect(rejection(() => net.partition('a', 'a')).option).toBe('partition.b');
  });

  it('a fault scheduled with a bare number or in the past', async () => {
    const net = twoHosts();
    expect(rejection(() => net.crash('a', { at: 2 as never })).option).toBe('crash.at');
    net.sim.schedule(1e9, 'tick', () => undefined);
    await net.sim.run();
    expect(rejection(() => net.crash('a', { at: '500ms' })).message).toContain('before now');
  });
});

describe('topology: link options resolved', () => {
  it('fills defaults, applies overrides per direction, and freezes the result', () => {
    const link = twoHosts().addLink('a', 'b', {
      latency: '5ms',
      loss: 0.1,
      jitter: { distribution: 'exponential', mean: ms(1) },
      forward: { loss: 0.2, bandwidth: 10e6 },
      reverse: { latency: '250us' },
    });
    expect(link.name).toBe('a-b');
    expect(link.forward).toEqual({
      latency: 5e6, jitter: { distribution: 'exponential', mean: 1e6, max: 10e6 }, loss: 0.2, duplicate: 0,
      reorder: 0, reorderDelay: 0, bandwidth: 10e6, queuePackets: 1000,
    });
    expect(link.reverse.latency).toBe(250e3);
    expect(link.reverse.loss).toBe(0.1);
    expect(link.reverse.bandwidth).toBe(Infinity);
    expect(Object.isFrozen(link.forward)).toBe(true);
    expect(Object.isFrozen(link.forward.jitter)).toBe(true);
  });

  it('no options at all: an ideal link', () => {
    const link = twoHosts().addLink('a', 'b');
    expect(link.forward).toEqual({
      latency: 0, jitter: { distribution: 'none' }, loss: 0, duplicate: 0, reorder: 0, reorderDelay: 0,
      bandwidth: Infinity, queuePackets: 1000,
    });
  });
});
