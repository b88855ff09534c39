import { Initial1796415147036 } from './1796415147036-Initial';

// Migrations in order. Never edit one after it is committed: add a new one.
export const MIGRATIONS: Function[] = [Initial1796415147036];
