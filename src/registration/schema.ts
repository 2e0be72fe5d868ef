/** The register endpoint's contract: the request body, the answer, and the outcome remembered with the key. */
import { z } from 'zod';

/** Names an institution may not take as its subdomain: ours, or easily mistaken for ours. */
export const RESERVED_SUBDOMAINS = [
  'www', 'api', 'admin', 'app', 'mail', 'smtp', 'imap', 'pop', 'ftp', 'auth', 'login', 'dashboard',
  'status', 'support', 'help', 'docs', 'blog', 'static', 'assets', 'cdn', 'dev', 'staging', 'test',
  'billing', 'root', 'system', 'ims',
] as const;

const BCRYPT_MAX_BYTES = 72;

export const RegisterInstitutionRequest = z.strictObject({
  name: z.string().trim().min(3).max(200),
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
    .refine((value) => Buffer.byteLength(value, 'utf8') <= BCRYPT_MAX_BYTES, `must be at most ${BCRYPT_MAX_BYTES} bytes`),
  directorFullName: z.string().trim().min(1).max(200),
});
export type RegisterInstitutionRequest = z.infer<typeof RegisterInstitutionRequest>;

/** The request without its password: what may be stored and what a recovery needs. */
export type SagaInput = Omit<RegisterInstitutionRequest, 'directorPassword'>;

export const InstitutionStatus = z.enum(['pending', 'trial', 'active', 'suspended']);

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
