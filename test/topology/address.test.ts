/**
 * Tests of src/topology/address.ts: IPv4 and IPv6 parsing, RFC 5952 canonical text (the
 * examples of RFC 5952 §4), endpoints, and rejections that name the option.
 */
import { describe, expect, it } from 'vitest';
import { SimConfigError } from '../../src/sim/index.ts';
import {
  addressBytes, addressFamily, formatAddressBytes, formatEndpoint, isIPv4, isIPv6, parseAddress, parseEndpoint, parseIPv4, parseIPv6,
} from '../../src/topology/index.ts';

function rejection(run: () => unknown): SimConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SimConfigError);
    return error as SimConfigError;
  }
  throw new Error('expected a SimConfigError');
}

describe('topology: IPv4 addresses', () => {
  it.each(['10.0.0.1', '0.0.0.0', '255.255.255.255', '192.168.1.254'])('accepts %s unchanged', (text) => {
    expect(isIPv4(text)).toBe(true);
    expect(parseIPv4('ipv4', text)).toBe(text);
    expect(addressFamily(text)).toBe(4);
  });

  it.each(['256.0.0.1', '10.0.0', '10.0.0.1.2', '010.0.0.1', '10.0.0.-1', ' 10.0.0.1', '10.0.0.1 ', 'a.b.c.d', ''])(
    'rejects %j, naming the option',
    (text) => {
      expect(isIPv4(text)).toBe(false);
      const error = rejection(() => parseIPv4('hosts[a].ipv4', text));
      expect(error.option).toBe('hosts[a].ipv4');
      expect(error.message).toContain(`option 'hosts[a].ipv4'`);
    },
  );

  it('rejects a non-string with what it got', () => {
    expect(rejection(() => parseIPv4('x', 10)).message).toContain('got 10');
  });
});

describe('topology: IPv6 addresses (RFC 5952 canonical form)', () => {
  it.each([
    ['fd00::1', 'fd00::1'],
    ['FD00:0:0:0:0:0:0:1', 'fd00::1'],
    ['2001:0db8::0001', '2001:db8::1'],
    // §4.2.2: a single zero group is not compressed.
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    // §4.2.3: the longest run is compressed; on a tie, the first.
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:0:1:0:0:0', '2001:db8:0:0:1::'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['2001:DB8::ABCD', '2001:db8::abcd'],
    // §5: IPv4-mapped addresses in mixed notation, whichever way they were written.
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
    ['::FFFF:a00:1', '::ffff:10.0.0.1'],
    ['::1.2.3.4', '::102:304'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ])('%s → %s', (text, canonical) => {
    expect(isIPv6(text)).toBe(true);
    expect(parseIPv6('ipv6', text)).toBe(canonical);
    expect(parseAddress('address', text)).toBe(canonical);
    expect(addressFamily(canonical)).toBe(6);
  });

  it.each([
    '1::2::3', '12345::1', ':::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'fd00::1%eth0', 'g::1',
    '1:2:3:4:5:6:7::8', ':1::', '1:', '::1.2.3', '::256.0.0.1', '10.0.0.1', '',
  ])('rejects %j, naming the option', (text) => {
    expect(isIPv6(text)).toBe(false);
    const error = rejection(() => parseIPv6('hosts[b].ipv6', text));
    expect(error.option).toBe('hosts[b].ipv6');
  });

  it('parseAddress tells the families apart and rejects what is neither', () => {
    expect(parseAddress('a', '10.0.0.1')).toBe('10.0.0.1');
    expect(parseAddress('a', 'fd00:0::2')).toBe('fd00::2');
    expect(rejection(() => parseAddress('target', 'server')).option).toBe('target');
  });
});

describe('topology: endpoints', () => {
  it.each([
    ['10.0.0.2:80', '10.0.0.2', 80],
    ['[fd00::2]:80', 'fd00::2', 80],
    ['[FD00:0::2]:443', 'fd00::2', 443],
    ['10.0.0.2:0', '10.0.0.2', 0],
    ['[::1]:65535', '::1', 65535],
  ])('%s → %s port %d', (text, address, port) => {
    expect(parseEndpoint('connect', text)).toEqual({ address, port });
  });

  it.each(['fd00::2:80', '10.0.0.2', '10.0.0.2:70000', '[10.0.0.2]:80', '10.0.0.2:', '[fd00::2]80', 'host:80'])(
    'rejects %j, naming the option',
    (text) => {
      expect(rejection(() => parseEndpoint('scenario.connect', text)).option).toBe('scenario.connect');
    },
  );

  it('formats back, bracketing IPv6', () => {
    expect(formatEndpoint({ address: 'fd00::2', port: 80 })).toBe('[fd00::2]:80');
    expect(formatEndpoint({ address: '10.0.0.2', port: 80 })).toBe('10.0.0.2:80');
  });
});

describe('topology: address bytes (for wire encoders)', () => {
  const forms: [string, string][] = [
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8::0:1', '2001:db8::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['0:0:0:0:0:ffff:a00:1', '::ffff:10.0.0.1'],
    ['::10.0.0.1', '::a00:1'],
  ];
  for (const [text, canonical] of forms) {
    it(`parses ${text} and prints it as ${canonical} (RFC 5952)`, () => {
      const parsed = addressBytes(text);
      expect(parsed).toHaveLength(16);
      expect(formatAddressBytes(parsed as Uint8Array, 0, 6)).toBe(canonical);
    });
  }

  const malformed = [
    '', ':', ':::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', 'g::',
  ];
  for (const text of malformed) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      expect(addressBytes(text)).toBeUndefined();
    });
  }

  it('IPv4: four network-order bytes, printed back from any offset', () => {
    const bytes = addressBytes('10.0.0.254') as Uint8Array;
    expect([...bytes]).toEqual([10, 0, 0, 254]);
    const packet = new Uint8Array([0xff, ...bytes]);
    expect(formatAddressBytes(packet, 1, 4)).toBe('10.0.0.254');
    expect(addressBytes('10.0.0.256')).toBeUndefined();
    expect(addressBytes('010.0.0.1')).toBeUndefined();
  });
});
