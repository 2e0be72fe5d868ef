/** What the registration saga's steps share: the gateway, the held registration and, when known, the password. */
import type { HeldRegistration, RegistrationGateway } from './gateway.js';
import type { RegistrationResult } from './schema.js';

export interface RegistrationContext {
  gateway: RegistrationGateway;
  /** This attempt's id: the fencing token every write of the registration is checked against. */
  attempt: string;
  held: HeldRegistration;
  /** How long a lock on a registration lasts: the wait suggested when another one is in flight. */
  lockTimeoutSeconds: number;
  /** Whether the director's address counts as confirmed at once (confirmation `auto`). */
  directorEmailConfirmed: boolean;
  /** Only the client's request has it; the recovery sweep does not (passwords are never stored). */
  password: string | undefined;
  /** Set by the last step. */
  result?: RegistrationResult;
}
