#!/usr/bin/env node
// The wsksim command: registers tsx so scenarios (ours and the user's) load as TypeScript.
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { register } from 'tsx/esm/api';

// A fuzz campaign builds a world per run and drops it. V8's allocation-site pretenuring learns
// from the worlds alive during early scavenges to allocate their objects in old space, where
// each dead world then keeps the next ones' young objects alive until a full collection: a
// quarter of what a run allocates was promoted, and scavenging took ≈28% of a run. Without it
// the seed loop runs ≈1.6× as fast. Set before any other code runs, as a command-line flag is.
setFlagsFromString('--no-allocation-site-pretenuring');
register();
// A checkout (it has src/) runs from source with no build step; an installed package has only
// the compiled dist/ (package.json "files"), built by `npm pack`'s prepack.
const fromSource = existsSync(new URL('../src/cli/main.ts', import.meta.url));
registerHooks('./hooks.js', import.meta.url, {
  data: {
    packageURL: new URL('../package.json', import.meta.url).href,
    conditions: fromSource ? ['wsksim-source'] : [],
  },
});
// A reader that stops early (`wsksim rules | head`) closes the pipe: that is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const { main } = await import(fromSource ? '../src/cli/main.ts' : '../dist/cli/main.js');
const code = await main(process.argv.slice(2));
// The command is done: end the process now, after the output is flushed, rather than when
// whatever a driver or scenario left pending in the outside world (a socket, a foreign promise)
// lets the event loop empty, which may be never.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
