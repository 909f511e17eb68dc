#!/usr/bin/env node
// The `holefill` command: lets Node load the TypeScript sources as they are (tsx), then runs main/cli/index.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));
