/** GET /openapi.json: the OpenAPI 3.1 document, its schemas generated from the same Zod schemas that validate and answer. */
import express, { type Router } from 'express';
import { z } from 'zod';
import { Registration, RegisterInstitutionRequest } from '../registration/schema.js';
import { REGISTER_PATH } from './register-route.js';

export const Problem = z.object({
  type: z.string().describe('A relative URI naming the problem type: /problems/<code>'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().describe('Stable machine-readable code, e.g. subdomain_taken'),
  requestId: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

export const EXAMPLES = {
  request: {
    name: 'Springfield Elementary',
    subdomain: 'springfield',
    directorEmail: 'seymour@example.com',
    directorPassword: 'correct horse battery staple',
    directorFullName: 'Seymour Skinner',
  },
  registered: {
    institution: { id: '3f0d1c52-3a8e-4b43-9a59-6f0f4c9e2a11', name: 'Springfield Elementary', subdomain: 'springfield', status: 'trial' },
    director: { id: '0b8a3f8e-5c0e-4b8e-8a57-2d7f3a4f9c10', email: 'seymour@example.com', fullName: 'Seymour Skinner' },
  },
  validationFailed: {
    type: '/problems/validation_failed',
    title: 'Bad Request',
    status: 400,
    detail: 'The request body is invalid; see `errors` for each field.',
    code: 'validation_failed',
    requestId: '9d4c7b1e-2f3a-4c5d-8e6f-7a8b9c0d1e2f',
    errors: [{ field: 'subdomain', message: 'is reserved' }],
  },
  subdomainTaken: {
    type: '/problems/subdomain_taken',
    title: 'Conflict',
    status: 409,
    detail: 'That subdomain is already taken by another institution.',
    code: 'subdomain_taken',
    requestId: '9d4c7b1e-2f3a-4c5d-8e6f-7a8b9c0d1e2f',
  },
} as const;

/** Zod 4 writes JSON Schema 2020-12, the dialect of OpenAPI 3.1, so a schema goes in as it is. */
const schema = (type: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(type, { io, unrepresentable: 'any' });
  return jsonSchema;
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const problem = (description: string, example?: object) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem'), ...(example ? { example } : {}) } },
});

const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } };

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'ims-api', version: '0.1.0', description: 'Institution registration on Supabase, exactly once per Idempotency-Key' },
    paths: {
      [REGISTER_PATH]: {
        post: {
          operationId: 'registerInstitution',
          summary: 'Register an institution with its director, exactly once per Idempotency-Key',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: true,
              description: 'Unique per registration (exactly one header, 1–255 printable ASCII characters); reuse it on every retry',
              schema: { type: 'string', minLength: 1, maxLength: 255 },
            },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('RegisterInstitutionRequest'), example: EXAMPLES.request } },
          },
          responses: {
            201: {
              description: 'Registered (or the first answer replayed, with Idempotent-Replayed: true)',
              headers: {
                Location: { schema: { type: 'string' } },
                'Idempotent-Replayed': { description: 'Present on a replay', schema: { const: 'true' } },
              },
              content: { 'application/json': { schema: ref('Registration'), example: EXAMPLES.registered } },
            },
            400: problem('validation_failed (invalid body, with errors[]), malformed_json, unreadable_body (corrupt Content-Encoding), or a missing/invalid/repeated Idempotency-Key', EXAMPLES.validationFailed),
            409: {
              ...problem(
                'subdomain_taken or email_taken (final, remembered); conflict_pending (the value is held by a registration still in flight: not final, retry with the same key after Retry-After; errors[] names the field); idempotency_key_in_use (with Retry-After)',
                EXAMPLES.subdomainTaken,
              ),
              headers: retryAfter,
            },
            413: problem('Body over 16 KiB'),
            415: problem('unsupported_media_type (body is not application/json) or unsupported_content_encoding (not gzip, deflate or br)'),
            422: problem('idempotency_key_reused: the key was used with another body'),
            429: { ...problem('Rate limited'), headers: retryAfter },
            500: problem('registration_failed: undone completely; a retry with the same key is safe'),
            503: { ...problem('supabase_unavailable or registration_incomplete; a retry with the same key is safe'), headers: retryAfter },
          },
        },
      },
    },
    components: {
      schemas: {
        RegisterInstitutionRequest: schema(RegisterInstitutionRequest, 'input'),
        Registration: schema(Registration, 'output'),
        Problem: schema(Problem, 'output'),
      },
    },
  };
}

export function openApiRouter(): Router {
  const document = openApiDocument();
  const router = express.Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}
