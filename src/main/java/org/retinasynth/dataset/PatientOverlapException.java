package org.retinasynth.dataset;

import java.util.List;

/**
 * Given splits would put one patient in two splits (within the upload or with images already in the
 * dataset): a leak between train and test, refused unless the upload allows it explicitly.
 */
public class PatientOverlapException extends InputRejectedException {

    /** A patient and every split it would have images in. */
    public record Overlap(String patient, List<String> splits) {
    }

    private static final int NAMED_IN_MESSAGE = 10;

    private final List<Overlap> overlaps;

    PatientOverlapException(List<Overlap> overlaps) {
        super(Kind.BAD_LABELS, overlaps.size() + " patient(s) would have images in more than one split ("
                + String.join(", ", overlaps.stream().limit(NAMED_IN_MESSAGE).map(Overlap::patient).toList())
                + (overlaps.size() > NAMED_IN_MESSAGE ? ", …" : "") + "; all in 'patients'). Keep each patient in one"
                + " split, leave the split empty to have it chosen, or send allowPatientOverlap=true; nothing was stored");
        this.overlaps = List.copyOf(overlaps);
    }

    public List<Overlap> overlaps() {
        return overlaps;
    }
}
