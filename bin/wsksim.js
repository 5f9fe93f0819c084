#!/usr/bin/env node
// The wsksim command: registers tsx so scenarios (ours and the user's) load as TypeScript.
import { register } from 'tsx/esm/api';

register();
// A reader that stops early (`wsksim rules | head`) closes the pipe: that is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
