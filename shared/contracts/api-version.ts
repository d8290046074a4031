/** The version of the REST API this service implements: in every response's `meta`. */
export const API_VERSION = '2.0.0';
