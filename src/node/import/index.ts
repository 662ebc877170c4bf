// Selection batch import (DESIGN §3): the front door. The work happens in the files beside it.
export * from './csv.ts';
export * from './errors.ts';
export * from './importer.ts';
export * from './rows.ts';
export * from './report.ts';
