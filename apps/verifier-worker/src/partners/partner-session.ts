import { inspect } from 'node:util';

/**
 * What authentication yields for the sync step. The Authorization value lives in a private field
 * so that logging or serialising an AuthOutcome cannot leak the token.
 */
export class PartnerSession {
  readonly #authorization: string | undefined;

  private constructor(
    authorization: string | undefined,
    readonly expiresAt: Date | undefined,
  ) {
    this.#authorization = authorization;
  }

  static bearer(accessToken: string, expiresAt?: Date): PartnerSession {
    return new PartnerSession(`Bearer ${accessToken}`, expiresAt);
  }

  /** For partners whose static key is sent with every call (SpotHero): nothing to carry. */
  static keyBased(): PartnerSession {
    return new PartnerSession(undefined, undefined);
  }

  authorizationHeaders(): Record<string, string> {
    return this.#authorization === undefined ? {} : { authorization: this.#authorization };
  }

  toJSON(): Record<string, unknown> {
    return { authorization: this.#authorization === undefined ? null : '[redacted]', expiresAt: this.expiresAt };
  }

  [inspect.custom](): string {
    return `PartnerSession(${JSON.stringify(this.toJSON())})`;
  }
}
