package org.retinasynth.security;

/** The principal behind an API key; every stored resource belongs to exactly one owner. */
public record Owner(String id, String name, boolean admin) {
}
