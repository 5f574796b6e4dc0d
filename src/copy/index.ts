// Copying a store into another: copyStore (copy-store.ts) and the verification it ends with.

export { copyStore, type CopyOptions, type CopyPhase, type CopyProgress, type CopyReport } from './copy-store.js';
export type { TranslatedCheckpoint } from './checkpoints.js';
export { POSITION_MAP } from './position-map.js';
export { verifyCopy, type StreamMismatch, type CopyVerifyOptions, type CopyVerification } from './verify.js';
