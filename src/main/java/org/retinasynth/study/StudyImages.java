package org.retinasynth.study;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.retinasynth.dataset.DatasetService.PackedImages;

/** One split as float CHW [0,1] images with grades, and the classic augmentation of the REAL_CLASSIC arm. */
record StudyImages(int count, int size, float[] chw, int[] grades) {

    static StudyImages of(PackedImages p) {
        return new StudyImages(p.count(), p.size(), p.chw(), p.grades().clone());
    }

    int floatsPerImage() {
        return 3 * size * size;
    }

    float[] image(int i) {
        return Arrays.copyOfRange(chw, i * floatsPerImage(), (i + 1) * floatsPerImage());
    }

    /** The images at {@code idx}, in that order. */
    StudyImages select(int[] idx) {
        int per = floatsPerImage();
        float[] out = new float[idx.length * per];
        int[] g = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(chw, idx[i] * per, out, i * per, per);
            g[i] = grades[idx[i]];
        }
        return new StudyImages(idx.length, size, out, g);
    }

    StudyImages concat(StudyImages other) {
        if (other == null || other.count == 0) {
            return this;
        }
        float[] out = Arrays.copyOf(chw, chw.length + other.chw.length);
        System.arraycopy(other.chw, 0, out, chw.length, other.chw.length);
        int[] g = Arrays.copyOf(grades, count + other.count);
        System.arraycopy(other.grades, 0, g, count, other.count);
        return new StudyImages(count + other.count, size, out, g);
    }

    int[] countsPerGrade(int classes) {
        int[] c = new int[classes];
        for (int g : grades) {
            c[g]++;
        }
        return c;
    }

    /**
     * Classic augmentation in place: random horizontal / vertical flip and 90-degree rotation (a
     * fundus has no canonical orientation, so these keep the grade), then brightness, contrast and
     * saturation jitter of up to +-10%, mild enough not to mimic the robustness corruptions.
     */
    static void augment(float[] batch, int n, int size, SplittableRandom rng) {
        int plane = size * size;
        int per = 3 * plane;
        float[] tmp = new float[per];
        for (int b = 0; b < n; b++) {
            int off = b * per;
            boolean flipH = rng.nextBoolean();
            boolean flipV = rng.nextBoolean();
            int rot = rng.nextInt(4);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        int sx = flipH ? size - 1 - x : x;
                        int sy = flipV ? size - 1 - y : y;
                        int rx;
                        int ry;
                        switch (rot) {
                            case 1 -> { rx = sy; ry = size - 1 - sx; }
                            case 2 -> { rx = size - 1 - sx; ry = size - 1 - sy; }
                            case 3 -> { rx = size - 1 - sy; ry = sx; }
                            default -> { rx = sx; ry = sy; }
                        }
                        tmp[c * plane + y * size + x] = batch[off + c * plane + ry * size + rx];
                    }
                }
            }
            double brightness = 1 + (rng.nextDouble() * 0.2 - 0.1);
            double contrast = 1 + (rng.nextDouble() * 0.2 - 0.1);
            double saturation = 1 + (rng.nextDouble() * 0.2 - 0.1);
            double mean = 0;
            for (int i = 0; i < per; i++) {
                mean += tmp[i];
            }
            mean /= per;
            for (int q = 0; q < plane; q++) {
                double grey = (tmp[q] + tmp[plane + q] + tmp[2 * plane + q]) / 3;
                for (int c = 0; c < 3; c++) {
                    double v = tmp[c * plane + q];
                    v = grey + (v - grey) * saturation;
                    v = mean + (v - mean) * contrast;
                    v *= brightness;
                    batch[off + c * plane + q] = (float) Math.min(1, Math.max(0, v));
                }
            }
        }
    }
}
