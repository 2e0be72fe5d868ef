/**
 * Content negotiation (Plan/Negotiate in PostgREST): JSON arrays, the singular object, and their
 * `nulls=stripped` variants. CSV, GeoJSON, plans and the other types the real server produces are
 * refused as not implemented, naming the type, never answered as JSON; an unknown type is 406.
 */
import { PostgrestError, unsupported } from '../errors.js';

/** Types the real PostgREST produces that this stand-in does not: refused as not implemented, not as unknown. */
const NOT_IMPLEMENTED = ['text/csv', 'application/geo+json', 'application/vnd.pgrst.plan', 'application/vnd.pgrst.plan+json', 'application/vnd.pgrst.plan+text', 'application/openapi+json', 'application/octet-stream', 'text/plain', 'text/xml'];

export interface Media {
  singular: boolean;
  stripNulls: boolean;
}

function parseAccept(header: string): { type: string; params: Record<string, string> }[] {
  return header.split(',').map((entry) => {
    const [type = '', ...params] = entry.split(';').map((piece) => piece.trim());
    return {
      type: type.toLowerCase(),
      params: Object.fromEntries(params.filter(Boolean).map((param) => {
        const [key = '', value = ''] = param.split('=');
        return [key.trim().toLowerCase(), value.trim().replace(/^"(.*)"$/, '$1')];
      })),
    };
  });
}

export function negotiate(accept: string | undefined): Media {
  if (!accept || accept.trim() === '') return { singular: false, stripNulls: false };
  for (const { type, params } of parseAccept(accept)) {
    const stripNulls = params.nulls === 'stripped';
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return { singular: false, stripNulls: false };
    if (type === 'application/vnd.pgrst.array+json') return { singular: false, stripNulls };
    if (type === 'application/vnd.pgrst.object+json' || type === 'application/vnd.pgrst.object') return { singular: true, stripNulls };
    if (NOT_IMPLEMENTED.includes(type)) throw unsupported(`Accept: ${type}`);
  }
  throw new PostgrestError(406, 'PGRST107', `None of these media types are available: ${accept.split(',').map((t) => t.trim()).join(', ')}`);
}
