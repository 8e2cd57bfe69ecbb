package org.retinasynth.quota;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The limits of an owner without limits of its own.
 *
 * @param storedBytes         bytes of uploaded images (originals) across the owner's datasets
 * @param images              images in the owner's datasets plus images in its generated sets
 * @param activeJobs          the owner's queued and running jobs (a study's units not counted)
 * @param imagesPerGeneration images one generation request may make
 */
@ConfigurationProperties("retinasynth.quotas")
public record QuotaProperties(@DefaultValue("107374182400") long storedBytes,
                              @DefaultValue("1000000") long images,
                              @DefaultValue("1000") long activeJobs,
                              @DefaultValue("50000") long imagesPerGeneration) {

    public Quotas limits() {
        return new Quotas(storedBytes, images, activeJobs, imagesPerGeneration);
    }
}
