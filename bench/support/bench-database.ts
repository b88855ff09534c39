import { Client } from 'pg';
import { getVendorTemplate, migrateDatabase } from '@app/common';

export interface BenchDatabaseUrls {
  migrationUrl: string;
  appUrl: string;
}

const VENDORS = ['parkwhiz', 'spothero'] as const;

/** Per vendor: default endpoints per environment and the template's data flows, as seeding parameters. */
function templateFacts(): { endpoints: string; dataFlows: string } {
  const endpoints: Record<string, unknown> = {};
  const dataFlows: Record<string, unknown> = {};
  for (const vendor of VENDORS) {
    const template = getVendorTemplate(vendor);
    endpoints[vendor] = template.defaultEndpoints;
    dataFlows[vendor] = template.dataFlows;
  }
  return { endpoints: JSON.stringify(endpoints), dataFlows: JSON.stringify(dataFlows) };
}

/**
 * Rows n in [from, to]: half ParkWhiz, half SpotHero, a fifth in production, most active, spread
 * over three years of created_at (the list order). 70% carry an active credential version, 10% a
 * pending one on top, so both read paths do their second query for real. One statement per chunk.
 */
const SEED_SQL = `
WITH numbered AS (
  SELECT n,
         CASE WHEN n % 2 = 0 THEN 'parkwhiz' ELSE 'spothero' END AS vendor,
         CASE WHEN n % 5 = 0 THEN 'production' ELSE 'sandbox' END AS environment,
         now() - (random() * interval '1095 days') AS created_at
  FROM generate_series($1::int, $2::int) AS n
), inserted AS (
  INSERT INTO installations (
    vendor, environment, property_id, property_name, external_key, config, endpoints, versions, owner_team, documentation,
    status, status_changed_at, authenticated_at, initial_sync_completed_at, last_verified_at, installed_at, installed_by,
    created_by, version, created_at, updated_at)
  SELECT vendor, environment, 'prop-' || n, 'Garage ' || n || ' — Level ' || (n % 6 + 1),
         vendor || ':prop-' || n || ':' || environment,
         CASE WHEN vendor = 'parkwhiz'
           THEN jsonb_build_object('clientId', md5('client' || n), 'scope', 'partner',
                  'locationIds', jsonb_build_array((n % 9000 + 1000)::text, (n % 7000 + 12000)::text), 'webhookVersion', '1.1',
                  'createBookingWebhookUrl', 'https://pms-' || (n % 50) || '.example.com/arrive/bookings/create',
                  'cancelBookingWebhookUrl', 'https://pms-' || (n % 50) || '.example.com/arrive/bookings/cancel',
                  'webhookAuthHeaderName', 'X-Access-Token')
           ELSE jsonb_build_object('facilityIds', jsonb_build_array((n % 9000 + 4000)::text, (n % 5000 + 10000)::text),
                  'spotheroVersion', '2016-05-27')
         END,
         $3::jsonb -> vendor -> environment,
         jsonb_build_object('pms', '7.' || (n % 10) || '.' || (n % 7), 'adapter', '2.1.' || (n % 5),
                            'partnerApi', CASE WHEN vendor = 'parkwhiz' THEN 'v4' ELSE '2016-05-27' END),
         (ARRAY['parking-integrations', 'pms-platform', 'partner-ops'])[n % 3 + 1],
         jsonb_build_object('dataFlows', $4::jsonb -> vendor, 'runbookUrl', 'https://wiki.example.com/runbooks/prop-' || n,
                            'escalationContact', '#parking-oncall', 'notes', 'Seeded by npm run bench'),
         CASE WHEN n % 10 < 7 THEN 'active' WHEN n % 10 = 7 THEN 'pending_verification' WHEN n % 10 = 8 THEN 'draft' ELSE 'degraded' END,
         created_at + interval '2 days',
         CASE WHEN n % 10 < 7 THEN created_at + interval '1 day' END,
         CASE WHEN n % 10 < 7 THEN created_at + interval '2 days' END,
         CASE WHEN n % 10 < 7 THEN created_at + interval '30 days' END,
         created_at, 'tech-' || (n % 40), 'bench-seed', 1, created_at, created_at + interval '2 days'
  FROM numbered
  RETURNING id, property_id, created_at
), numbered_inserted AS (
  SELECT id, substring(property_id FROM 6)::int AS n, created_at FROM inserted
)
INSERT INTO credential_versions (
  installation_id, version, state, key_id, secret_ciphertext, fingerprint, masked_fields, submitted_at, submitted_by, verified_at,
  rotation_due_at)
SELECT id, v.version, v.state, 'dev1', decode(repeat(md5(id::text || v.version), 3), 'hex'), md5('fp' || id || v.version),
       jsonb_build_object('secret', jsonb_build_object('fingerprint', left(md5('f' || id || v.version), 16), 'last4', right(md5(id::text), 4))),
       created_at + interval '1 day', 'tech-' || (n % 40),
       CASE WHEN v.state = 'active' THEN created_at + interval '1 day' END, created_at + interval '91 days'
FROM numbered_inserted
CROSS JOIN LATERAL (VALUES (1, 'active'), (2, 'pending')) AS v(version, state)
WHERE n % 10 < 7 AND (v.version = 1 OR n % 10 = 0)`;

/** The bench's own database, dropped and recreated each run so figures never depend on leftovers. */
export class BenchDatabase {
  private readonly facts = templateFacts();
  private rows = 0;

  constructor(readonly urls: BenchDatabaseUrls) {}

  get installationCount(): number {
    return this.rows;
  }

  async recreate(): Promise<void> {
    const url = new URL(this.urls.migrationUrl);
    const name = url.pathname.slice(1);
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`refusing to drop database "${name}": not a plain identifier`);
    url.pathname = '/postgres';
    await this.withClient(url.toString(), (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    await migrateDatabase(this.urls);
    this.rows = 0;
  }

  /** Grows the table to `target` installations in chunks (each one statement), then ANALYZE. */
  async growTo(target: number, onProgress: (rows: number) => void = () => undefined): Promise<void> {
    const chunk = 200_000;
    await this.withClient(this.urls.migrationUrl, async (client) => {
      await client.query('SET synchronous_commit = off');
      while (this.rows < target) {
        const to = Math.min(target, this.rows + chunk);
        await client.query(SEED_SQL, [this.rows + 1, to, this.facts.endpoints, this.facts.dataFlows]);
        this.rows = to;
        onProgress(this.rows);
      }
      await client.query('ANALYZE installations');
      await client.query('ANALYZE credential_versions');
    });
  }

  /** Ids to read, in random order. */
  async sampleIds(count: number): Promise<string[]> {
    return this.withClient(this.urls.migrationUrl, async (client) => {
      const { rows } = await client.query<{ id: string }>('SELECT id FROM installations ORDER BY random() LIMIT $1', [count]);
      return rows.map((r) => r.id);
    });
  }

  /** The list-order key of the row `offset` rows deep, for a cursor far into the table. */
  async listKeyAt(offset: number): Promise<{ createdAt: string; id: string }> {
    return this.withClient(this.urls.migrationUrl, async (client) => {
      const { rows } = await client.query<{ created_at: string; id: string }>(
        `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at, id
         FROM installations ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1`,
        [offset],
      );
      return { createdAt: rows[0].created_at, id: rows[0].id };
    });
  }

  async tableSizes(): Promise<Record<string, string>> {
    return this.withClient(this.urls.migrationUrl, async (client) => {
      const { rows } = await client.query<{ name: string; size: string }>(
        `SELECT relname AS name, pg_size_pretty(pg_total_relation_size(oid)) AS size FROM pg_class
         WHERE relname IN ('installations', 'credential_versions') AND relkind = 'r'`,
      );
      return Object.fromEntries(rows.map((r) => [r.name, r.size]));
    });
  }

  private async withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: url, application_name: 'installation-records-bench' });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
}
