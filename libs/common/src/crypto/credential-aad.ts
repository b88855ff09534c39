/** Additional authenticated data: a ciphertext opens only on the row it was written for. */
export function credentialAad(installationId: string, version: number): string {
  return `installation:${installationId}:credential:${version}`;
}
