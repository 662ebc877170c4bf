#!/usr/bin/env node
// The `qdyp` command: loads the TypeScript sources through tsx, then runs the CLI. The
// project's tsconfig is named explicitly so JSX compiles the same from any directory.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../src/node/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
