import type { SandboxRoute } from './sandbox-config';

export interface SandboxCallCounts {
  total: number;
  byRoute: Partial<Record<SandboxRoute, number>>;
  /** Keyed by ParkWhiz client_id or SpotHero key label; `unknown` when no credential was recognisable. */
  byCredential: Record<string, number>;
  /** Keyed by `<route> <credential>`, e.g. `parkwhiz.token demo-client`. */
  byRouteAndCredential: Record<string, number>;
}

export interface CallFilter {
  route?: SandboxRoute;
  credential?: string;
}

/** Counts every partner call the sandbox received (admin calls are not counted). */
export class CallLedger {
  private readonly counts = new Map<string, { route: SandboxRoute; credential: string; n: number }>();

  record(route: SandboxRoute, credential: string): void {
    const key = `${route} ${credential}`;
    const entry = this.counts.get(key) ?? { route, credential, n: 0 };
    entry.n += 1;
    this.counts.set(key, entry);
  }

  count(filter: CallFilter = {}): number {
    let n = 0;
    for (const entry of this.counts.values()) {
      if (filter.route !== undefined && entry.route !== filter.route) continue;
      if (filter.credential !== undefined && entry.credential !== filter.credential) continue;
      n += entry.n;
    }
    return n;
  }

  snapshot(): SandboxCallCounts {
    const snapshot: SandboxCallCounts = { total: 0, byRoute: {}, byCredential: {}, byRouteAndCredential: {} };
    for (const [key, { route, credential, n }] of this.counts) {
      snapshot.total += n;
      snapshot.byRoute[route] = (snapshot.byRoute[route] ?? 0) + n;
      snapshot.byCredential[credential] = (snapshot.byCredential[credential] ?? 0) + n;
      snapshot.byRouteAndCredential[key] = n;
    }
    return snapshot;
  }

  clear(): void {
    this.counts.clear();
  }
}
