package org.retinasynth.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class LinearProbeTest {

    /** Three Gaussian blobs on a slanted line, plus noise dimensions on wildly different scales. */
    private static double[][] blobs(int n, int[] labels, double spread, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] x = new double[n][6];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            x[i][0] = labels[i] * 2 + spread * rng.nextGaussian();
            x[i][1] = -labels[i] * 2 + spread * rng.nextGaussian();
            for (int j = 2; j < 6; j++) {
                x[i][j] = Math.pow(10, j) * rng.nextGaussian();
            }
        }
        return x;
    }

    @Test
    void separatesBlobsDespiteBadlyScaledNoiseFeatures() {
        int[] trainY = new int[300];
        int[] testY = new int[150];
        double[][] train = blobs(300, trainY, 0.4, 1);
        double[][] test = blobs(150, testY, 0.4, 2);
        double acc = LinearProbe.accuracy(train, trainY, test, testY, 3);
        assertThat(acc).isGreaterThan(0.95);
        assertThat(LinearProbe.accuracy(train, trainY, test, testY, 3)).isEqualTo(acc);
    }

    @Test
    void noSignalMeansNearChance() {
        int[] trainY = new int[300];
        int[] testY = new int[600];
        double[][] train = blobs(300, trainY, 0.4, 3);
        double[][] test = blobs(600, testY, 0.4, 4);
        SplittableRandom rng = new SplittableRandom(9);
        for (int i = 0; i < trainY.length; i++) {
            trainY[i] = rng.nextInt(3); // labels unrelated to the features
        }
        double acc = LinearProbe.accuracy(train, trainY, test, testY, 3);
        assertThat(acc).isBetween(0.2, 0.5);
    }
}
