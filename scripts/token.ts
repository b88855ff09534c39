import jwt from 'jsonwebtoken';
import { loadEnvironment } from '@app/common';

/**
 * `npm run token -- --sub alice --roles engineer[,admin] [--name "Alice"] [--ttl 3600] [--automation]`
 * Prints a development JWT signed with JWT_SECRET. Refuses to run in production.
 */
function argument(args: string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
}

function main(): void {
  const env = loadEnvironment();
  if (env.NODE_ENV === 'production') throw new Error('token: development tokens are not minted in production');
  if (!env.JWT_SECRET) throw new Error('token: JWT_SECRET is not set (JWKS mode has no signing key here)');
  const args = process.argv.slice(2);
  const sub = argument(args, 'sub');
  const roles = argument(args, 'roles');
  if (!sub || !roles)
    throw new Error('usage: npm run token -- --sub NAME --roles ROLE[,ROLE] [--name "Display Name"] [--ttl SECONDS] [--automation]');
  const ttl = Number(argument(args, 'ttl') ?? 8 * 3600);
  const token = jwt.sign(
    {
      roles: roles.split(',').map((r) => r.trim()),
      name: argument(args, 'name') ?? sub,
      ...(args.includes('--automation') ? { actor_type: 'automation' } : {}),
    },
    env.JWT_SECRET,
    { algorithm: 'HS256', subject: sub, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE, expiresIn: ttl },
  );
  process.stdout.write(`${token}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
