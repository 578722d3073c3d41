// TaxJar-style errors: `{ error: "<Reason Phrase>", detail, status }`.

import { STATUS_CODES } from 'node:http';

export function errorBody(status, detail) {
  return { error: STATUS_CODES[status] ?? 'Error', detail, status };
}

export class HttpError extends Error {
  constructor(status, detail, headers = {}) {
    super(`${status} ${detail}`);
    this.status = status;
    this.detail = detail;
    this.headers = headers;
  }

  get body() {
    return errorBody(this.status, this.detail);
  }
}

export const badRequest = (detail) => new HttpError(400, detail);
export const notFound = () => new HttpError(404, 'Resource can not be found');

/** True for a value TaxJar would treat as given. */
export const present = (v) => v !== undefined && v !== null && v !== '';

/** Throw 400 "<key> is missing" for the first absent key. */
export function requireKeys(body, keys) {
  for (const key of keys) {
    if (!present(body[key])) throw badRequest(`${key} is missing`);
  }
}

export function requireObject(body) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('Request body must be a JSON object');
  }
}
