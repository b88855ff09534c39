import type { Pool, PoolClient } from 'pg';
import { EntityManager, type DataSource } from 'typeorm';

/**
 * A statement PostgreSQL parses and plans once per connection instead of at every execution
 * (node-postgres prepares a named statement on first use and reuses it on that connection).
 * For the per-verification statements of the pipeline and the credential write path, which run
 * thousands of times a minute with the same text: planning the credential write CTE costs about as
 * much as running it.
 *
 * The text must be fixed (values only in parameters): one name, one text, on every connection.
 * Only for statements whose plan does not depend on the values or on the table's size: after five
 * executions PostgreSQL may keep one generic plan, made with the statistics of that moment and kept
 * until the table is analysed again. A join against `unnest($1)` then risks a scan of the whole
 * joined table (the worker's receipt update did that in the pipeline bench), and so does a choice
 * between indexes made while the table was small (the outbox mark-sent kept filtering the partial
 * index of pending rows by id). Lookups by key on a table that is never tiny keep their index plan.
 */
export class PreparedStatement {
  private static readonly names = new Set<string>();

  constructor(
    readonly name: string,
    readonly text: string,
  ) {
    // Two texts under one name would make a connection run the first one's plan for the second.
    if (PreparedStatement.names.has(name)) throw new Error(`prepared statement ${name} is declared twice`);
    PreparedStatement.names.add(name);
  }

  /**
   * Runs inside `manager`'s transaction when it has one (the statement's locks and writes belong
   * to it), otherwise on a connection of the pool TypeORM's driver owns. Answers the rows (for
   * UPDATE … RETURNING too, unlike TypeORM's `query`).
   */
  async run<T>(on: EntityManager | DataSource, values: unknown[]): Promise<T[]> {
    const manager = on instanceof EntityManager ? on : on.manager;
    const runner = manager.queryRunner;
    const client: Pool | PoolClient = runner?.isTransactionActive
      ? ((await runner.connect()) as PoolClient)
      : (manager.connection.driver as unknown as { master: Pool }).master;
    const result = await client.query({ name: this.name, text: this.text, values });
    return result.rows as T[];
  }
}
