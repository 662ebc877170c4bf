// The transparency log (C2SP tlog-tiles, tlog-checkpoint, signed-note, tlog-proof): hashing,
// tiles, proofs, notes and checkpoints. Runtime-neutral like the rest of src/core.
export * from './base64.ts';
export * from './checkpoint.ts';
export * from './errors.ts';
export * from './hash.ts';
export * from './note.ts';
export * from './proof.ts';
export * from './tiles.ts';
export * from './tlog-proof.ts';
