/** The OpenAPI document: valid OpenAPI 3.1, and its examples shaped exactly like what the server really answers. */
import { validate } from '@readme/openapi-parser';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registration } from '../../src/registration/schema.js';
import { registrationBody, startHarness, type Harness } from '../support/harness.js';

/** The structure of a JSON value: keys and value types, recursively, without the values. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, shapeOf(v)]));
  }
  return typeof value;
}

describe('GET /openapi.json', () => {
  let h: Harness;
  let document: Record<string, any>;
  beforeAll(async () => {
    h = await startHarness('pglite');
    document = (await supertest(h.app).get('/openapi.json').expect(200)).body;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document) as never);
    expect(result.valid, JSON.stringify(result)).toBe(true);
  });

  it('names its servers and says for every operation how it is authorised', () => {
    expect(document.servers.length).toBeGreaterThan(0);
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item as object).map(([method, op]) => [`${method} ${path}`, op]));
    expect(operations.map(([name]) => name).sort()).toEqual(
      ['get /api/v1/institutions/{id}', 'get /healthz', 'get /openapi.json', 'get /readyz', 'post /api/v1/institutions/register'],
    );
    const publicOnes = operations.filter(([, op]) => Array.isArray(op.security) && op.security.length === 0).map(([name]) => name);
    expect(publicOnes.sort()).toEqual(['get /healthz', 'get /openapi.json', 'get /readyz', 'post /api/v1/institutions/register']);
    expect(document.security).toEqual([{ bearerAuth: [] }]);
  });

  it('documents the request body with the schema the server validates with', () => {
    const schema = document.components.schemas.RegisterInstitutionRequest;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required.sort()).toEqual(['directorEmail', 'directorFullName', 'directorPassword', 'name', 'subdomain']);
  });

  it('its 201 example is what the server answers to its request example, ids aside, and a valid Registration', async () => {
    const post = document.paths['/api/v1/institutions/register'].post;
    const example = post.responses['201'].content['application/json'].example;
    const real = await h.register(post.requestBody.content['application/json'].example).expect(201);
    expect(real.body).toEqual({
      institution: { ...example.institution, id: real.body.institution.id },
      director: { ...example.director, id: real.body.director.id },
    });
    expect(Registration.parse(example)).toEqual(example);
  });

  it('its problem+json examples have the shape of real problems', async () => {
    const responses = document.paths['/api/v1/institutions/register'].post.responses;
    const invalid = await h.register(registrationBody({ subdomain: 'admin' })).expect(400);
    expect(shapeOf(invalid.body)).toEqual(shapeOf(responses['400'].content['application/problem+json'].example));
    const taken = registrationBody();
    await h.register(taken).expect(201);
    const conflict = await h.register(registrationBody({ subdomain: taken.subdomain })).expect(409);
    expect(shapeOf(conflict.body)).toEqual(shapeOf(responses['409'].content['application/problem+json'].example));
  });
});
