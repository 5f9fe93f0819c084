import { describe, expect, it } from 'vitest';
import { SimConfigError } from '../../src/sim/index.ts';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  INADDR_ANY,
  IPPROTO_TCP,
  IPPROTO_UDP,
  MAKE_WSK_VERSION,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  WSK_CACHE_SD,
  WSK_EVENT_ACCEPT,
  WSK_EVENT_DISABLE,
  WSK_EVENT_DISCONNECT,
  WSK_EVENT_RECEIVE,
  WSK_EVENT_RECEIVE_FROM,
  WSK_EVENT_SEND_BACKLOG,
  WSK_FLAG_BASIC_SOCKET,
  WSK_FLAG_CONNECTION_SOCKET,
  WSK_FLAG_DATAGRAM_SOCKET,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_FLAG_STREAM_SOCKET,
  WSK_INFINITE_WAIT,
  WSK_MAJOR_VERSION,
  WSK_MINOR_VERSION,
  WSK_NO_WAIT,
  WSK_RELEASE_SD,
  WSK_SET_STATIC_EVENT_CALLBACKS,
  WSK_TDI_BEHAVIOR,
  WSK_TDI_DEVICENAME_MAPPING,
  WSK_TRANSPORT_LIST_CHANGE,
  WSK_TRANSPORT_LIST_QUERY,
  sockaddr,
  sockaddrFamily,
  sockaddrText,
} from '../../src/wsk/index.ts';

describe('wsk: constants (docs/model.md)', () => {
  it('have their Windows values', () => {
    expect([AF_UNSPEC, AF_INET, AF_INET6]).toEqual([0, 2, 23]);
    expect([SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, IPPROTO_TCP, IPPROTO_UDP]).toEqual([1, 2, 3, 6, 17]);
    expect(INADDR_ANY).toBe('0.0.0.0');
    expect([
      WSK_FLAG_BASIC_SOCKET,
      WSK_FLAG_LISTEN_SOCKET,
      WSK_FLAG_CONNECTION_SOCKET,
      WSK_FLAG_DATAGRAM_SOCKET,
      WSK_FLAG_STREAM_SOCKET,
    ]).toEqual([0, 1, 2, 4, 8]);
    expect([
      WSK_EVENT_SEND_BACKLOG,
      WSK_EVENT_RECEIVE,
      WSK_EVENT_DISCONNECT,
      WSK_EVENT_RECEIVE_FROM,
      WSK_EVENT_ACCEPT,
      WSK_EVENT_DISABLE,
    ]).toEqual([0x10, 0x40, 0x80, 0x100, 0x200, 0x80000000]);
    expect([WSK_NO_WAIT, WSK_INFINITE_WAIT]).toEqual([0, 0xffffffff]);
    expect([
      WSK_TRANSPORT_LIST_QUERY,
      WSK_TRANSPORT_LIST_CHANGE,
      WSK_CACHE_SD,
      WSK_RELEASE_SD,
      WSK_TDI_DEVICENAME_MAPPING,
      WSK_SET_STATIC_EVENT_CALLBACKS,
      WSK_TDI_BEHAVIOR,
    ]).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });

  it('MAKE_WSK_VERSION packs major in the high byte, minor in the low byte', () => {
    expect(MAKE_WSK_VERSION(1, 0)).toBe(0x0100);
    expect(MAKE_WSK_VERSION(2, 0x1ff)).toBe(0x02ff);
    expect(WSK_MAJOR_VERSION(0x0103)).toBe(1);
    expect(WSK_MINOR_VERSION(0x0103)).toBe(3);
  });
});

describe('wsk: SOCKADDR helpers', () => {
  it('build SOCKADDR_IN / SOCKADDR_IN6 with Windows field names and host-order ports', () => {
    expect(sockaddr('10.0.0.2:80')).toEqual({ sin_family: AF_INET, sin_port: 80, sin_addr: '10.0.0.2' });
    expect(sockaddr('[fd00:0::2]:40007')).toEqual({
      sin6_family: AF_INET6,
      sin6_port: 40007,
      sin6_flowinfo: 0,
      sin6_addr: 'fd00::2',
      sin6_scope_id: 0,
    });
  });

  it('round-trip through sockaddrText', () => {
    for (const text of ['10.0.0.2:80', '0.0.0.0:0', '[fd00::2]:80', '[::]:40007']) {
      const a = sockaddr(text);
      expect(sockaddrText(a)).toBe(text);
      expect(sockaddrFamily(a)).toBe(text.startsWith('[') ? AF_INET6 : AF_INET);
    }
  });

  it('reject malformed text with SimConfigError', () => {
    expect(() => sockaddr('fd00::2:80')).toThrow(SimConfigError);
    expect(() => sockaddr('10.0.0.2:70000')).toThrow(SimConfigError);
  });
});
