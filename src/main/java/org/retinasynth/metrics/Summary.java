package org.retinasynth.metrics;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.StatUtils;

/**
 * Mean and sample standard deviation of a metric over seeds.
 *
 * @param sd sample standard deviation (n-1 in the denominator); 0 when n == 1
 */
public record Summary(double mean, double sd, int n) {

    public static Summary of(double... values) {
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException("at least one value is needed");
        }
        double mean = StatUtils.mean(values);
        double sd = values.length == 1 ? 0 : Math.sqrt(StatUtils.variance(values, mean));
        return new Summary(mean, sd, values.length);
    }

    /** Half the width of the two-sided 95% Student-t interval of the mean; NaN when n == 1. */
    public double halfWidth95() {
        if (n < 2) {
            return Double.NaN;
        }
        // a null RNG: only the quantile function is used, and the default would seed a Well19937c
        return new TDistribution(null, n - 1).inverseCumulativeProbability(0.975) * sd / Math.sqrt(n);
    }
}
