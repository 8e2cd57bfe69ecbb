/**
 * The HTTP edge: controllers, request/response records, OpenAPI documentation and the mapping of
 * exceptions to RFC 9457 problem+json. No business logic lives here and nothing imports it.
 */
package org.retinasynth.api;
