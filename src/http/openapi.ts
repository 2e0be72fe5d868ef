/** GET /openapi.json: the OpenAPI 3.1 document, its schemas generated from the same Zod schemas that validate and answer. */
import express, { type Router } from 'express';
import { z } from 'zod';
import { MemberInstitution } from '../institutions/member-institution.js';
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

const PUBLIC = { security: [] };

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'ims-api', version: '0.1.0', description: 'Institution registration on Supabase, exactly once per Idempotency-Key' },
    servers: [{ url: 'http://localhost:3000', description: 'npm start (the embedded Supabase); deployments serve the same paths at their own origin' }],
    security: [{ bearerAuth: [] }],
    paths: {
      '/healthz': {
        get: {
          ...PUBLIC,
          operationId: 'health',
          summary: 'Liveness: the process answers',
          responses: {
            200: {
              description: 'Alive, with the kind of Supabase it talks to',
              content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ok' }, backend: { type: 'string' } }, required: ['status', 'backend'] } } },
            },
          },
        },
      },
      '/readyz': {
        get: {
          ...PUBLIC,
          operationId: 'readiness',
          summary: 'Readiness: a write to Supabase commits',
          responses: {
            200: {
              description: 'Ready',
              content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ready' }, backend: { type: 'string' } }, required: ['status', 'backend'] } } },
            },
            503: { ...problem('not_ready: Supabase is not reachable, or its database refuses writes'), headers: retryAfter },
          },
        },
      },
      '/openapi.json': {
        get: {
          ...PUBLIC,
          operationId: 'openApiDocument',
          summary: 'This document',
          responses: { 200: { description: 'The OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      '/api/v1/institutions/{id}': {
        get: {
          operationId: 'getInstitution',
          summary: 'The institution a signed-in member belongs to (the Location of a 201), and their role in it',
          description:
            'Send the Supabase Auth access token of a member (e.g. the director after signInWithPassword). The read runs with that token, so row-level security decides; an institution the caller does not belong to is 404 whether or not it exists.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: {
            200: { description: 'The institution and the caller’s role', content: { 'application/json': { schema: ref('MemberInstitution') } } },
            400: problem('invalid_institution_id: the id is not a UUID; malformed_path: a percent-escape in the path does not decode'),
            401: {
              ...problem('unauthorized (no Bearer token) or invalid_token (bad signature, expired, or not a signed-in user’s token)'),
              headers: { 'WWW-Authenticate': { description: 'The Bearer challenge (RFC 6750)', schema: { type: 'string' } } },
            },
            404: problem('institution_not_found: no such institution that the caller belongs to'),
            503: { ...problem('supabase_unavailable'), headers: retryAfter },
          },
        },
      },
      [REGISTER_PATH]: {
        post: {
          ...PUBLIC,
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
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A Supabase Auth access token' },
      },
      schemas: {
        RegisterInstitutionRequest: schema(RegisterInstitutionRequest, 'input'),
        Registration: schema(Registration, 'output'),
        MemberInstitution: schema(MemberInstitution, 'output'),
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
