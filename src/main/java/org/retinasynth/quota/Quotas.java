package org.retinasynth.quota;

/** An owner's limits, each as in {@link QuotaProperties}. */
public record Quotas(long storedBytes, long images, long activeJobs, long imagesPerGeneration) {

    public long of(Quota q) {
        return switch (q) {
            case STORED_BYTES -> storedBytes;
            case IMAGES -> images;
            case ACTIVE_JOBS -> activeJobs;
            case IMAGES_PER_GENERATION -> imagesPerGeneration;
        };
    }
}
