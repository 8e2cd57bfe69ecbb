package org.retinasynth.training;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.retinasynth.image.Img;
import org.retinasynth.dataset.DatasetService.PackedImages;

/** Turns packed uint8 HWC images into the float CHW [0,1] batches the model reads, and back. */
final class Batches {

    private final PackedImages packed;
    private final boolean withLabels;

    Batches(PackedImages packed, boolean withLabels) {
        this.packed = packed;
        this.withLabels = withLabels;
    }

    int count() {
        return packed.count();
    }

    int size() {
        return packed.size();
    }

    float[] images(int[] indices) {
        return packed.chw(indices);
    }

    int[] labels(int[] indices) {
        if (!withLabels) {
            return null;
        }
        int[] out = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = packed.grades()[indices[i]];
        }
        return out;
    }

    static List<BufferedImage> toImages(float[] chw, int n, int size) {
        int per = 3 * size * size;
        List<BufferedImage> out = new ArrayList<>(n);
        for (int b = 0; b < n; b++) {
            out.add(Img.toBufferedImage(Arrays.copyOfRange(chw, b * per, (b + 1) * per), size, size));
        }
        return out;
    }
}
