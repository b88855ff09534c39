import 'reflect-metadata';
import { loadEnvironment, migrateDatabase } from '@app/common';

/** `npm run migration:run`: creates the database and app role if missing, applies pending migrations. */
async function main(): Promise<void> {
  const env = loadEnvironment();
  const applied = await migrateDatabase({ migrationUrl: env.MIGRATION_DATABASE_URL, appUrl: env.DATABASE_URL });
  process.stdout.write(JSON.stringify({ msg: 'migrations applied', applied }) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
