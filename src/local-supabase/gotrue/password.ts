/**
 * GoTrue's password hashing (internal/crypto/password.go): bcrypt at Go's DefaultCost, `$2a$`
 * hashes. Native bcrypt hashes and compares in Node's thread pool, so the embedded Supabase's
 * event loop never stalls on it.
 */
import { hash, verify } from '@node-rs/bcrypt';
import { GotrueError, WeakPasswordError, validationFailed } from './errors.js';

const BCRYPT_COST = 10;
const BCRYPT_MAX_BYTES = 72;
/** The CLI's [auth] minimum_password_length (no required characters, no HIBP check). */
export const PASSWORD_MIN_LENGTH = 6;

/** checkPasswordStrength (internal/api/password.go): over 72 bytes is 400, under the minimum 422 weak_password. */
export function checkPasswordStrength(password: string): void {
  if (Buffer.byteLength(password) > BCRYPT_MAX_BYTES) throw validationFailed(`Password cannot be longer than ${BCRYPT_MAX_BYTES} characters`);
  if (Buffer.byteLength(password) < PASSWORD_MIN_LENGTH) {
    throw new WeakPasswordError(`Password should be at least ${PASSWORD_MIN_LENGTH} characters.`, ['length']);
  }
}

export async function hashPassword(password: string): Promise<string> {
  // GoTrue's must(bcrypt.GenerateFromPassword) panics past 72 bytes; its recoverer answers 500.
  if (Buffer.byteLength(password) > BCRYPT_MAX_BYTES) {
    throw new GotrueError(500, 'unexpected_failure', 'Internal Server Error');
  }
  // $2a$ and $2b$ compute the same hash for passwords this short; Go's bcrypt writes $2a$.
  return (await hash(password, BCRYPT_COST)).replace(/^\$2b\$/, '$2a$');
}

/** Whether `password` matches a stored bcrypt hash; a missing or malformed hash never matches. */
export async function passwordMatches(password: string, encrypted: string | null): Promise<boolean> {
  if (!encrypted) return false;
  try {
    return await verify(password, encrypted);
  } catch {
    return false;
  }
}
