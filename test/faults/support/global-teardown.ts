import { stopPrivateInstances } from './private-instances';

/** Safety net: the specs stop the private instances in afterAll; this covers a spec that crashed. */
export default async function globalTeardown(): Promise<void> {
  await stopPrivateInstances();
}
