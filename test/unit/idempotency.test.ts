import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { canonicalJson, fingerprint } from '../../src/idempotency/fingerprint.js';
import { parseIdempotencyKey } from '../../src/idempotency/key.js';

describe('fingerprint', () => {
  it('is the same for the same body in any key order, and differs for another body or secret', () => {
    const a = fingerprint('secret', { b: 1, a: { d: [1, 2], c: 'x' } });
    expect(fingerprint('secret', { a: { c: 'x', d: [1, 2] }, b: 1 })).toBe(a);
    expect(fingerprint('secret', { a: { c: 'x', d: [2, 1] }, b: 1 })).not.toBe(a);
    expect(fingerprint('other', { b: 1, a: { d: [1, 2], c: 'x' } })).not.toBe(a);
    expect(canonicalJson({ b: 1, a: 'é"' })).toBe('{"a":"é\\"","b":1}');
  });

  it('is keyed: no one can check a guess of the body without the secret', () => {
    const body = { subdomain: 'springfield', directorEmail: 'skinner@example.com' };
    const stored = fingerprint('secret', body);
    expect(stored).toBe(createHmac('sha256', 'secret').update(canonicalJson(body)).digest('base64url'));
    // Not a plain digest, which a list of guessed values would match.
    expect(stored).not.toBe(createHash('sha256').update(canonicalJson(body)).digest('base64url'));
  });
});

describe('parseIdempotencyKey', () => {
  it('accepts 1–255 printable ASCII characters, bare or as a quoted structured-field string', () => {
    expect(parseIdempotencyKey(['8e03978e-40d5-43e8-bc93-6894a57f9324'])).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(parseIdempotencyKey(['"abc"'])).toBe('abc');
    expect(parseIdempotencyKey(['k'.repeat(255)])).toHaveLength(255);
  });

  it.each([
    [undefined, 'idempotency_key_missing'],
    [[''], 'idempotency_key_invalid'],
    [['   '], 'idempotency_key_invalid'],
    [['k'.repeat(256)], 'idempotency_key_invalid'],
    [['clé'], 'idempotency_key_invalid'],
    [['tab\there'], 'idempotency_key_invalid'],
    [['a', 'b'], 'idempotency_key_invalid'],
  ])('refuses %j with %s', (header, code) => {
    expect(() => parseIdempotencyKey(header)).toThrow(AppError);
    try {
      parseIdempotencyKey(header);
    } catch (error) {
      expect((error as AppError).code).toBe(code);
    }
  });
});
