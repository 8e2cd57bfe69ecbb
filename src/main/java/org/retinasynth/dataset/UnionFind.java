package org.retinasynth.dataset;

/** Disjoint sets over {@code 0..n-1} in a plain parent array (start with {@code parent[i] = i}). */
final class UnionFind {

    private UnionFind() {
    }

    /** The representative of {@code i}'s set; halves the path on the way. */
    static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    static void union(int[] parent, int a, int b) {
        parent[find(parent, a)] = find(parent, b);
    }
}
