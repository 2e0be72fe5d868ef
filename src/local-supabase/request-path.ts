/**
 * The request path as it reaches the servers behind the Supabase gateway. A `%` without two hex
 * digits never gets there: Go's net/http (GoTrue) refuses such a request line with a plain 400 and
 * closes the connection, as the gateway's nginx does. Escaped bytes that are not UTF-8 do get
 * there: PostgREST (Warp) decodes them leniently, and GoTrue's checks then find no id in them.
 */
import type { RequestHandler } from 'express';

const MALFORMED_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/** The bytes a segment names: its escapes (odd parts of the split) as bytes, the rest as UTF-8. */
const bytesOf = (segment: string) =>
  Buffer.concat(segment.split(/(%[0-9A-Fa-f]{2})/).map((part, i) => (i % 2 ? Buffer.from([parseInt(part.slice(1), 16)]) : Buffer.from(part))));

/** Each segment decoded as UTF-8 with U+FFFD for what is not, then escaped again. */
const lenientlyReescaped = (path: string) =>
  path
    .split('/')
    .map((segment) => encodeURIComponent(bytesOf(segment).toString('utf8')))
    .join('/');

export const readRequestPath: RequestHandler = (req, res, next) => {
  const queryAt = req.url.indexOf('?');
  const path = queryAt === -1 ? req.url : req.url.slice(0, queryAt);
  if (MALFORMED_ESCAPE.test(path)) {
    res.status(400).set({ 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).send('400 Bad Request');
    return;
  }
  try {
    decodeURIComponent(path);
  } catch {
    // Express would fail to decode the route's parameters: hand the routers the lenient decoding instead.
    req.url = lenientlyReescaped(path) + (queryAt === -1 ? '' : req.url.slice(queryAt));
  }
  next();
};
