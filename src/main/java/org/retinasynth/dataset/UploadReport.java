package org.retinasynth.dataset;

import java.util.List;
import java.util.Map;

/**
 * What one upload did: every file is either accepted or listed with the reason it was rejected.
 *
 * @param acceptedPerGrade accepted images by grade index
 */
public record UploadReport(String uploadId, String datasetId, String source, int accepted, int rejected,
                           Map<Integer, Integer> acceptedPerGrade, List<RejectedFile> rejectedFiles, long bytes,
                           double seconds) {

    public record RejectedFile(String name, String reason) {
    }
}
