// Aggregates: the class-based style of the write side, and the repository that loads
// and saves them with optimistic concurrency.

export { Aggregate } from './aggregate.js';
export { createRepository, type Repository, type RepositoryOptions, type SaveResult } from './repository.js';
