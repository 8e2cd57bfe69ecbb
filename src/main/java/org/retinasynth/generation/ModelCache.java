package org.retinasynth.generation;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.retinasynth.model.VaeModel;
import org.retinasynth.storage.BlobStore;
import org.retinasynth.model.ModelRegistry;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * A few loaded models, least recently used first out, keyed by the model blob's sha256 (which
 * is the model's identity: same bytes, same weights). Loading a model takes far longer than one
 * denoise call, so requests share them. A model is closed when it leaves the cache, but only once
 * no caller is still using it.
 */
@Component
class ModelCache implements DisposableBean {

    private static final class Entry {
        final VaeModel model;
        int users;
        boolean evicted;

        Entry(VaeModel model) {
            this.model = model;
        }
    }

    private final BlobStore blobs;
    private final int capacity;
    private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

    ModelCache(BlobStore blobs, GenerationProperties properties) {
        this.blobs = blobs;
        this.capacity = Math.max(1, properties.modelCacheSize());
    }

    /** Runs {@code work} with the model stored under {@code sha256}, loading it if needed. */
    <T> T with(String sha256, Function<VaeModel, T> work) {
        Entry e = acquire(sha256);
        try {
            return work.apply(e.model);
        } finally {
            release(e);
        }
    }

    private Entry acquire(String sha) {
        synchronized (this) {
            Entry e = entries.get(sha);
            if (e != null) {
                e.users++;
                return e;
            }
        }
        // Loading outside the lock: a slow load must not hold up requests for other models
        byte[] archive = blobs.get(sha).orElseThrow(() -> new IllegalStateException(
                "the model blob " + sha + " is missing from the store"));
        VaeModel loaded = ModelRegistry.load(archive, VaeModel.class, null);
        synchronized (this) {
            Entry e = entries.get(sha);
            if (e != null) {
                loaded.close(); // another caller loaded it meanwhile
            } else {
                e = new Entry(loaded);
                entries.put(sha, e);
                evictOverflow();
            }
            e.users++;
            return e;
        }
    }

    private synchronized void release(Entry e) {
        e.users--;
        if (e.evicted && e.users == 0) {
            e.model.close();
        }
    }

    private void evictOverflow() {
        Iterator<Entry> it = entries.values().iterator();
        while (entries.size() > capacity && it.hasNext()) {
            Entry oldest = it.next();
            it.remove();
            oldest.evicted = true;
            if (oldest.users == 0) {
                oldest.model.close();
            }
        }
    }

    synchronized int size() {
        return entries.size();
    }

    @Override
    public synchronized void destroy() {
        for (Entry e : entries.values()) {
            e.evicted = true;
            if (e.users == 0) {
                e.model.close();
            }
        }
        entries.clear();
    }
}
