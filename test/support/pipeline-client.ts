import { parkwhizInstallation, tokenFor } from './test-app';
import type { Pipeline } from './pipeline';
import { waitFor } from './pipeline';

export interface ReceiptItem {
  id: string;
  state: string;
  outcome: string | null;
  failureClass: string | null;
  trigger: string;
  detail: string | null;
  httpStatus: number | null;
}

/** The REST calls pipeline specs make, as an engineer and a viewer. */
export function pipelineClient(p: Pipeline) {
  const engineer = tokenFor(['engineer'], 'eng-pipeline');
  const viewer = tokenFor(['viewer'], 'viewer-pipeline');
  const auth = (token: string) => ['Authorization', `Bearer ${token}`] as const;

  const client = {
    engineer,
    viewer,
    auth,
    /** A ParkWhiz installation pointed at the sandbox, created with credentials (queues a check). */
    async createParkWhiz(clientId: string, clientSecret: string): Promise<string> {
      const body = parkwhizInstallation({
        config: { clientId, scope: 'partner', locationIds: ['4412'] },
        endpoints: { baseUrl: `${p.sandbox.url}/v4` },
        credentials: { clientSecret },
      });
      const res = await p.api
        .http()
        .post('/v1/installations')
        .set(...auth(engineer))
        .send(body);
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    },
    async installation(id: string): Promise<{ status: string; milestones: Record<string, string | null> }> {
      return (
        await p.api
          .http()
          .get(`/v1/installations/${id}`)
          .set(...auth(viewer))
      ).body;
    },
    async receipts(id: string): Promise<ReceiptItem[]> {
      return (
        await p.api
          .http()
          .get(`/v1/installations/${id}/verifications`)
          .query({ limit: 100 })
          .set(...auth(viewer))
      ).body.items;
    },
    async waitForStatus(id: string, status: string, timeoutMs = 15_000): Promise<void> {
      await waitFor(async () => (await client.installation(id)).status === status, timeoutMs, `status ${status}`);
    },
    /** POST /verifications and wait until that receipt is completed. */
    async verifyNow(id: string, timeoutMs = 15_000): Promise<ReceiptItem> {
      const res = await p.api
        .http()
        .post(`/v1/installations/${id}/verifications`)
        .set(...auth(engineer));
      if (res.status !== 202) throw new Error(`verify failed: ${res.status}`);
      return waitFor(
        async () => (await client.receipts(id)).find((r) => r.id === res.body.receiptId && r.state === 'completed'),
        timeoutMs,
        `receipt ${res.body.receiptId}`,
      );
    },
  };
  return client;
}
