/** The register endpoint's contract: the request body, the answer, and the outcome remembered with the key. */
import { z } from 'zod';

/** Names an institution may not take as its subdomain: ours, or easily mistaken for ours. */
export const RESERVED_SUBDOMAINS = [
  'www', 'api', 'admin', 'app', 'mail', 'smtp', 'imap', 'pop', 'ftp', 'auth', 'login', 'dashboard',
  'status', 'support', 'help', 'docs', 'blog', 'static', 'assets', 'cdn', 'dev', 'staging', 'test',
  'billing', 'root', 'system', 'ims',
] as const;

const BCRYPT_MAX_BYTES = 72;

/**
 * What no stored text may hold: control characters (C0 with NUL and ESC, so no ANSI escapes; DEL;
 * C1), bidirectional overrides, isolates and marks (which make text display other than it
 * reads), and lone surrogates (not Unicode; Postgres cannot store them).
 */
const FORBIDDEN_IN_TEXT = /[\p{Cc}\p{Cs}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * A name people read: refused if it holds a forbidden character, then NFC-normalised and trimmed
 * (before it is fingerprinted or stored), and it must show at least one letter or digit.
 */
const displayName = (min: number, max: number) =>
  z
    .string()
    .refine((value) => !FORBIDDEN_IN_TEXT.test(value), 'must not contain control, bidirectional-override or invalid Unicode characters')
    .normalize('NFC')
    .trim()
    .min(min, { abort: true })
    .max(max)
    .refine((value) => LETTER_OR_DIGIT.test(value), 'must contain at least one letter or digit');

export const RegisterInstitutionRequest = z.strictObject({
  name: displayName(3, 200),
  subdomain: z
    .string()
    .min(3)
    .max(63)
    .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'must be a lower-case DNS label: a-z, 0-9 and inner hyphens')
    .refine((value) => !(RESERVED_SUBDOMAINS as readonly string[]).includes(value), 'is reserved'),
  directorEmail: z.string().trim().toLowerCase().pipe(z.email().max(255)),
  directorPassword: z
    .string()
    .min(8)
    .refine((value) => !/\p{Cs}/u.test(value), 'must be valid Unicode (no lone surrogates)')
    .refine((value) => Buffer.byteLength(value, 'utf8') <= BCRYPT_MAX_BYTES, `must be at most ${BCRYPT_MAX_BYTES} bytes`),
  directorFullName: displayName(1, 200),
});
export type RegisterInstitutionRequest = z.infer<typeof RegisterInstitutionRequest>;

/** The request without its password: what may be stored and what a recovery needs. */
export type SagaInput = Omit<RegisterInstitutionRequest, 'directorPassword'>;

/** `unconfirmed`: registered, but its director has not confirmed the email address yet; `trial` once they have. */
export const InstitutionStatus = z.enum(['pending', 'unconfirmed', 'trial', 'active', 'suspended']);

export const Registration = z.object({
  institution: z.object({
    id: z.uuid(),
    name: z.string(),
    subdomain: z.string(),
    status: InstitutionStatus,
  }),
  director: z.object({ id: z.uuid(), email: z.string(), fullName: z.string() }),
});
export type Registration = z.infer<typeof Registration>;

/** The business reasons a registration is turned down; both are final and remembered with the key. */
export const RejectionReason = z.enum(['subdomain_taken', 'email_taken']);
export type RejectionReason = z.infer<typeof RejectionReason>;

/** A settled registration, as registration_complete/registration_abort store it in idempotency_keys.result. */
export const RegistrationResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('registered'), registration: Registration }),
  z.object({ status: z.literal('rejected'), reason: RejectionReason }),
]);
export type RegistrationResult = z.infer<typeof RegistrationResult>;
