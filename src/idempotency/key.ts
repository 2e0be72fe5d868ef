/**
 * The Idempotency-Key header (IETF draft "The Idempotency-Key HTTP Header Field"; Stripe): 1–255
 * printable ASCII characters. The draft's structured-field form, a quoted string, is accepted too.
 */
import { AppError } from '../errors.js';

const PRINTABLE_ASCII = /^[\x20-\x7E]+$/;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** `values`: every Idempotency-Key field line of the request, as received (never merged). */
export function parseIdempotencyKey(values: readonly string[] | undefined): string {
  if (values === undefined || values.length === 0) {
    throw new AppError('invalid_request', 'idempotency_key_missing', 'Send an Idempotency-Key header: a unique value per registration, reused on every retry of it.');
  }
  if (values.length > 1) {
    throw new AppError('invalid_request', 'idempotency_key_invalid', 'Send exactly one Idempotency-Key header.');
  }
  const header = values[0]!;
  const quoted = /^"(.*)"$/.exec(header);
  const key = quoted ? quoted[1]!.replace(/\\(["\\])/g, '$1') : header;
  if (key.trim() === '' || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !PRINTABLE_ASCII.test(key)) {
    throw new AppError(
      'invalid_request',
      'idempotency_key_invalid',
      `The Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters.`,
    );
  }
  return key;
}
