/**
 * The starting state of one choice stream, derived from the root seed and the stream's name
 * through a non-linear hash, so that streams are independent of one another and of the streams
 * of neighbouring seeds.
 *
 * Why a hash: seedrandom's xor128 seeded with a string XORs the characters into its state, and
 * xor128 is linear over GF(2), so two streams whose names have the same length ('kernel/client1',
 * 'kernel/client2') differ by a fixed bit pattern on every seed: their first draws of
 * `chance(0.5)` disagreed on 20,000 of 20,000 seeds and every later draw agreed. Multiplying
 * modulo 2^32 is not linear over GF(2), so a multiplicative hash breaks that structure.
 *
 * The hash is cyrb128, a public-domain 128-bit string hash (docs/design.md#determinism-contract
 * describes it): four 32-bit lanes, each mixing every character by XOR and a multiplication by
 * its own odd constant, then cross-mixed, give four well-mixed words, the size of xor128's state.
 * It runs once per stream at setup, never on the draw path.
 */

/** xor128's state: four 32-bit words, not all zero. */
export interface Xor128State {
  x: number;
  y: number;
  z: number;
  w: number;
}

/** The state of stream `name` under root seed `seed`. */
export function streamState(seed: number, name: string): Xor128State {
  const text = `${seed}/${name}`;
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  // xor128 never leaves the all-zero state; one fixed non-zero word stands in for it.
  if ((h1 | h2 | h3 | h4) === 0) h4 = 0x9e3779b9;
  return { x: h1 | 0, y: h2 | 0, z: h3 | 0, w: h4 | 0 };
}
