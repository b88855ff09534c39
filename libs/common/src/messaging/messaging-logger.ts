/** What the broker classes log through; Nest's Logger satisfies it. Never pass secrets. */
export interface MessagingLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const SILENT_LOGGER: MessagingLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Broker URLs carry credentials: strip userinfo from anything we log.
  return text.replace(/\/\/[^@/\s]*@/g, '//***@');
}
