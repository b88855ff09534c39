export default async function globalSetup(): Promise<void> {
  // Filled in by the database bootstrap: creates and migrates a private database per run.
}
