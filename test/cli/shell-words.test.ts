/**
 * Printed commands run as printed: words a shell would split or expand are quoted the way the
 * platform's shell reads them (POSIX single quotes; double quotes on Windows).
 */
import { describe, expect, it } from 'vitest';
import { shellWords } from '../../src/cli/knobs.ts';

describe('shellWords', () => {
  const words = ['--set', 'kernel.*.irpAllocationFailure=1', 'C:\\drv\\a.ts', "it's", 'plain-1.ts'];

  it('POSIX: single quotes, a quote inside closed and escaped; backslashes quoted', () => {
    expect(shellWords(words, 'linux')).toBe(
      " --set 'kernel.*.irpAllocationFailure=1' 'C:\\drv\\a.ts' 'it'\\''s' plain-1.ts",
    );
  });

  it('Windows: double quotes; a path with backslashes as it is', () => {
    expect(shellWords(words, 'win32')).toBe(' --set "kernel.*.irpAllocationFailure=1" C:\\drv\\a.ts "it\'s" plain-1.ts');
  });
});
