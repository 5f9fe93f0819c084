/**
 * Headless Chromium for the HTML timeline's browser test (issue 17), driven by playwright-core
 * with the system browser: the Debian package `chromium`, installed by .ci/run; nothing is
 * downloaded. Without it a test skips and says why, except under CI=true, where nothing may skip
 * and the test fails instead (as test/support/tshark.ts does for tshark).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import type { TestContext } from 'vitest';

export const CHROMIUM_MISSING = 'chromium not installed: apt-get install chromium';

/** Where Debian's package puts the browser; WSKSIM_CHROMIUM names another. */
export function chromiumPath(): string {
  return process.env['WSKSIM_CHROMIUM'] ?? '/usr/bin/chromium';
}

let available: boolean | undefined;

/** Whether the browser runs on this machine (checked once per process). */
export function chromiumAvailable(): boolean {
  if (available === undefined) {
    const path = chromiumPath();
    const result = existsSync(path)
      ? spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 })
      : undefined;
    available = result !== undefined && result.error === undefined && result.status === 0;
  }
  return available;
}

/** Call first in a test that needs Chromium: skips without it, fails under CI=true. */
export function requireChromium(context: TestContext): void {
  if (chromiumAvailable()) return;
  if (process.env['CI'] === 'true') {
    throw new Error(`${CHROMIUM_MISSING} (CI=true: browser tests fail instead of skipping)`);
  }
  console.warn(`skipping "${context.task.name}": ${CHROMIUM_MISSING}`);
  context.skip(CHROMIUM_MISSING);
}

/** An 8-bit RGB or RGBA PNG, non-interlaced (what Chromium's screenshots are), decoded. */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Uint8Array;
}

export function decodePng(png: Uint8Array): Pixels {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  while (at < png.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const chunk = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      const header = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      width = header.getUint32(0);
      height = header.getUint32(4);
      const [depth, color, , , interlace] = [...chunk.subarray(8, 13)];
      if (depth !== 8 || interlace !== 0 || (color !== 2 && color !== 6))
        throw new Error(`unsupported PNG: depth ${depth}, color ${color}, interlace ${interlace}`);
      channels = color === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(chunk);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const data = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] as number;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? (data[y * stride + x - channels] as number) : 0;
      const b = y > 0 ? (data[(y - 1) * stride + x] as number) : 0;
      const c = x >= channels && y > 0 ? (data[(y - 1) * stride + x - channels] as number) : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter] as number;
      data[y * stride + x] = ((line[x] as number) + predictor) & 0xff;
    }
  }
  return { width, height, channels, data };
}

/** How many distinct colours the image has (a blank page has one or two). */
export function distinctColours(pixels: Pixels): number {
  const seen = new Set<number>();
  const { data, channels } = pixels;
  for (let i = 0; i < data.length; i += channels) {
    seen.add(((data[i] as number) << 16) | ((data[i + 1] as number) << 8) | (data[i + 2] as number));
  }
  return seen.size;
}
