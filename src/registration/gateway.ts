/** What the registration needs from Supabase, as a port: the adapter in src/supabase implements it. */
import type { RegistrationResult, SagaInput } from './schema.js';

export interface ClaimRequest {
  scope: string;
  key: string;
  fingerprint: string;
  attempt: string;
  lockTimeoutSeconds: number;
  retentionHours: number;
  sagaInput: SagaInput;
}

/** A registration this attempt holds the lock of, at its recovery point. */
export interface HeldRegistration {
  registrationId: string;
  institutionId: string;
  directorUserId: string;
  sagaInput: SagaInput;
}

/** A field whose value another registration holds. */
export type ConflictField = 'subdomain' | 'directorEmail';

export type ClaimOutcome =
  /** `resumed`: an earlier attempt (or an earlier try of this one) may have done more than the claim. */
  | { outcome: 'proceed'; registration: HeldRegistration; resumed: boolean }
  /** `replayed`: the result was stored by an earlier request; false when this claim settled it. */
  | { outcome: 'finished'; result: RegistrationResult; replayed: boolean }
  /** The field's value is held by a registration still in flight: nothing was remembered. */
  | { outcome: 'conflict_pending'; field: ConflictField; retryAfterSeconds: number }
  | { outcome: 'in_progress'; retryAfterSeconds: number }
  | { outcome: 'mismatch' };

export interface DirectorUser {
  id: string;
  email: string;
  /** False: the director must confirm the address before signing in (GoTrue's email_not_confirmed). */
  emailConfirmed: boolean;
  password: string;
  fullName: string;
  registrationId: string;
  institutionId: string;
}

/** Who holds an email address that the auth service refused as taken. */
export type EmailHolder =
  | { holder: 'none' }
  /** A registered director, or a user made outside this service: a final answer. */
  | { holder: 'settled' }
  | { holder: 'in_flight'; retryAfterSeconds: number };

/** Where a registration stands, read without locking it. */
export interface RegistrationStatus {
  recoveryPoint: 'institution_created' | 'finished' | 'compensated';
  /** The attempt that holds (or last held) it. */
  heldBy: string | null;
  /** The stored answer, once finished. */
  result: RegistrationResult | null;
}

/** What undoing the institution found: done, or a registration that had completed (nothing undone). */
export type AbortOutcome = { outcome: 'aborted' } | { outcome: 'finished'; result: RegistrationResult };

/** A confirmation mail a finished registration owes, claimed from the outbox for a lease. */
export interface OwedConfirmation {
  id: number;
  email: string;
  /** Tries so far, this one included. */
  attempts: number;
}

/** Every method throws RemoteCallError when the call fails, classified for the saga. */
export interface RegistrationGateway {
  /** Call 1: claims the idempotency key and, when new, creates the institution as `pending`. */
  claim(request: ClaimRequest): Promise<ClaimOutcome>;
  /** Lets go of a claim whose answer was lost (it may have taken the lock), keeping its recovery point. */
  releaseClaim(request: Pick<ClaimRequest, 'scope' | 'key' | 'attempt'>, error: string): Promise<void>;
  /** The recovery sweep's claim of an abandoned registration; null when someone else has it. */
  takeOver(registrationId: string, attempt: string, lockTimeoutSeconds: number): Promise<HeldRegistration | null>;
  /** Call 2: the director's auth user, with the id chosen at claim time. */
  createDirectorUser(user: DirectorUser): Promise<void>;
  /** The registration id a director user was created for; null when there is no such user. */
  findDirectorUser(userId: string): Promise<{ registrationId: string | undefined } | null>;
  /** Who holds `email` now; `lockTimeoutSeconds` bounds the wait suggested for one in flight. */
  findEmailHolder(email: string, lockTimeoutSeconds: number): Promise<EmailHolder>;
  /** Deletes the auth user; a user already gone counts as deleted. */
  deleteDirectorUser(userId: string): Promise<void>;
  /** Call 3: the profile, activation and the remembered answer, in one transaction. */
  complete(registrationId: string, attempt: string): Promise<RegistrationResult>;
  /**
   * Undoes the institution and settles the key: remembered with a rejection, forgotten without;
   * refuses (answering `finished`) when the registration had completed.
   */
  abort(registrationId: string, attempt: string, rejection: RegistrationResult | null, error: string): Promise<AbortOutcome>;
  /** Where the registration stands; null when there is none. */
  status(registrationId: string): Promise<RegistrationStatus | null>;
  /** Lets go of the lock and keeps the recovery point, after a failure that retries did not cure. */
  release(registrationId: string, attempt: string, error: string): Promise<void>;
  /** Owed confirmation mails that are due (one institution's, or any), each claimed for `leaseSeconds`. */
  claimConfirmations(options: { limit: number; leaseSeconds: number; institutionId?: string }): Promise<OwedConfirmation[]>;
  /** Asks Supabase Auth to send the signup confirmation to an unconfirmed user (its SMTP, template, rate limits). */
  sendConfirmation(email: string): Promise<void>;
  markConfirmationSent(id: number): Promise<void>;
  /** Puts an owed mail back, due again in `afterSeconds`. */
  retryConfirmation(id: number, afterSeconds: number, error: string): Promise<void>;
  /** Registrations nobody works on, idle for at least `idleSeconds`. */
  listAbandoned(idleSeconds: number, limit: number): Promise<string[]>;
  /** Forgets settled keys past their retention; returns how many. */
  purgeExpiredKeys(): Promise<number>;
}
