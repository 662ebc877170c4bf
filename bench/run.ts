// `npm run bench`: runs every bench/*.bench.ts module's default export, in alphabetical order.
// Each prints its figures on stdout as `ID key=value ...` lines (progress goes to stderr).
// Optional arguments pick modules by name: `npm run bench -- core http`.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const modules = readdirSync(dir)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => wanted.length === 0 || wanted.includes(name.slice(0, -'.bench.ts'.length)))
  .sort();

let failed = 0;
for (const name of modules) {
  try {
    const module = (await import(pathToFileURL(`${dir}${name}`).href)) as { default: () => Promise<void> };
    await module.default();
  } catch (error) {
    failed++;
    console.error(`${name} failed:`, error);
  }
}
// A bench that leaves a socket or timer open must not hang the run.
process.exit(failed === 0 ? 0 : 1);
