package org.retinasynth.quota;

/** One limit, named in answers as its JSON field. */
public enum Quota {
    STORED_BYTES("storedBytes"), IMAGES("images"), ACTIVE_JOBS("activeJobs"),
    IMAGES_PER_GENERATION("imagesPerGeneration");

    private final String field;

    Quota(String field) {
        this.field = field;
    }

    public String field() {
        return field;
    }
}
