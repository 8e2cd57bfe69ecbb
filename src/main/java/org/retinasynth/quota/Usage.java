package org.retinasynth.quota;

/** What an owner uses now, in the units of its {@link Quotas}. */
public record Usage(long storedBytes, long images, long activeJobs) {

    /** Per-request limits have no standing use. */
    public long of(Quota q) {
        return switch (q) {
            case STORED_BYTES -> storedBytes;
            case IMAGES -> images;
            case ACTIVE_JOBS -> activeJobs;
            case IMAGES_PER_GENERATION -> 0;
        };
    }
}
