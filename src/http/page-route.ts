/**
 * GET /: the registration page — a small accessible form — and its assets: the page script and
 * the typed client, both from the build (dist/), and a stylesheet. A strict Content-Security-Policy
 * allows only this origin's scripts, styles and requests.
 */
import { readFile } from 'node:fs/promises';
import express, { type Router } from 'express';
import helmet from 'helmet';
import { PAGE_CSS, PAGE_HTML } from './page/page-html.js';

/** The repository root, from src/http or dist/http alike. */
const ROOT = new URL('../../', import.meta.url);

const strictCsp = helmet.contentSecurityPolicy({
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'self'"],
    objectSrc: ["'none'"],
  },
});

function builtScript(path: string): express.RequestHandler {
  return async (_req, res, next) => {
    try {
      res.type('text/javascript').send(await readFile(new URL(path, ROOT)));
    } catch (error) {
      next(error);
    }
  };
}

export function pageRouter(): Router {
  const router = express.Router();
  router.get('/', strictCsp, (_req, res) => {
    res.type('html').send(PAGE_HTML);
  });
  router.get('/assets/register-page.css', strictCsp, (_req, res) => {
    res.type('css').send(PAGE_CSS);
  });
  router.get('/assets/register-page.js', strictCsp, builtScript('dist/http/page/register-page.js'));
  router.get('/client/ims-client.js', strictCsp, builtScript('dist/client/ims-client.js'));
  return router;
}
