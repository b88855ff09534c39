import type { INestApplication } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DEV_JWT_SECRET, loadEnvironment } from '../../libs/common/src';
import { createApp, initApp } from '../../apps/records-api/src/create-app';

export interface TestApp {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  dataSource: DataSource;
  /** Every route the HTTP router registered while the app initialised, as `METHOD /path/:param`. */
  routes: string[];
  close: () => Promise<void>;
}

/** Boots the real records-api (real PostgreSQL as the application role) once per spec file. */
export async function startTestApp(): Promise<TestApp> {
  const app = await createApp();
  const routes: string[] = [];
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`);
    });
  await initApp(app);
  const server = app.getHttpServer();
  return { app, http: () => request(server), dataSource: app.get(DataSource), routes, close: () => app.close() };
}

/** A token signed like `npm run token` does; override any claim or option to forge bad ones. */
export function tokenFor(
  roles: string[],
  sub = `user-${randomUUID().slice(0, 8)}`,
  claims: Record<string, unknown> = {},
  options: jwt.SignOptions = {},
): string {
  const env = loadEnvironment();
  return jwt.sign({ roles, name: sub, ...claims }, env.JWT_SECRET ?? DEV_JWT_SECRET, {
    algorithm: 'HS256',
    subject: sub,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    expiresIn: 600,
    ...options,
  });
}

/** A unique, valid ParkWhiz sandbox create body; each test gets its own property id. */
export function parkwhizInstallation(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    vendor: 'parkwhiz',
    environment: 'sandbox',
    propertyId: `garage-${randomUUID().slice(0, 12)}`,
    propertyName: 'Garage 12 — 5th & Main',
    config: { clientId: 'pw-client-1', scope: 'partner', locationIds: ['4412'] },
    versions: { pms: '7.4.2', adapter: '2.1.0' },
    ownerTeam: 'parking-integrations',
    ...overrides,
  };
}

export function spotheroInstallation(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    vendor: 'spothero',
    environment: 'sandbox',
    propertyId: `lot-${randomUUID().slice(0, 12)}`,
    propertyName: 'Lot 7',
    config: { facilityIds: ['1201'] },
    ...overrides,
  };
}
