package org.retinasynth.storage;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** The I/O threads behind {@link BlobStore#putAll}: more than the cores, since they mostly wait. */
final class BlobWrites {

    static final int THREADS = 16;

    static final ExecutorService POOL = Executors.newFixedThreadPool(THREADS, new java.util.concurrent.ThreadFactory() {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "blob-write-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });

    private BlobWrites() {
    }
}
