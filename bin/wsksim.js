#!/usr/bin/env node
// The wsksim command: registers tsx so scenarios (ours and the user's) load as TypeScript.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
