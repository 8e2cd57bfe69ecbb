/**
 * Who is calling. Every request under {@code /api/} carries an API key; {@link ApiKeyFilter}
 * resolves it once to an {@link Owner}, which controllers receive as a parameter and pass to
 * owner-scoped repositories. Keys are stored only as sha256 hashes.
 */
package org.retinasynth.security;
