// Porsager's postgres driver, resolved from this package's node_modules for the
// floor in bench/floors/postgres.ts.
export { default } from 'postgres';
