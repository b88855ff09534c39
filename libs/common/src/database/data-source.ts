import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source-options';

/**
 * For the TypeORM CLI only (migration:generate / migration:run / --check). It connects as the
 * migration owner: the application's own role cannot create or alter tables.
 */
export default new DataSource(
  buildDataSourceOptions(process.env.MIGRATION_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/installation_records'),
);
