package org.retinasynth.dataset;

import java.util.List;

/** Every file of an upload was refused; carries the per-file reasons to the 422 answer. */
public class NoImageAcceptedException extends InputRejectedException {

    private final List<UploadReport.RejectedFile> rejected;

    NoImageAcceptedException(List<UploadReport.RejectedFile> rejected) {
        super(Kind.BAD_LABELS, "No image was accepted: " + (rejected.isEmpty()
                ? "the upload held no image" : rejected.size() + " file(s) rejected, see 'rejectedFiles'"));
        this.rejected = List.copyOf(rejected);
    }

    public List<UploadReport.RejectedFile> rejected() {
        return rejected;
    }
}
