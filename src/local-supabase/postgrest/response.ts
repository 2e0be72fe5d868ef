/** The response a PostgREST handler produces, before it is written to the socket. */
export interface RestResponse {
  status: number;
  headers: Record<string, string>;
  /** Raw JSON text as Postgres produced it, or undefined for an empty body. */
  body?: string | undefined;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const OBJECT_TYPE = 'application/vnd.pgrst.object+json; charset=utf-8';
