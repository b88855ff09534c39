import { resetPrivateInstances } from './private-instances';

/** Starts from clean data directories: an interrupted earlier run may have left instances running. */
export default async function globalSetup(): Promise<void> {
  await resetPrivateInstances();
}
