package org.retinasynth.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Loss curves as PNG, drawn with XChart so nobody has to read a table of numbers. */
public final class Charts {

    private Charts() {
    }

    public static byte[] lossCurves(String title, List<EpochMetrics> epochs) {
        XYChart chart = new XYChartBuilder().width(900).height(520).title(title).xAxisTitle("epoch")
                .yAxisTitle("loss, nats per image").build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        double[] x = epochs.stream().mapToDouble(EpochMetrics::epoch).toArray();
        if (x.length == 0) {
            x = new double[] {0};
            chart.addSeries("no epoch finished yet", x, new double[] {0});
        } else {
            add(chart, "train loss", x, epochs, EpochMetrics::trainLoss);
            add(chart, "validation loss", x, epochs, EpochMetrics::valLoss);
            add(chart, "train reconstruction", x, epochs, EpochMetrics::trainReconstruction);
            XYSeries kl = add(chart, "train KL (right axis)", x, epochs, EpochMetrics::trainKl);
            if (kl != null) {
                // KL is tens of nats where the losses are thousands: on their axis it is a flat line at 0
                kl.setYAxisGroup(1);
                kl.setLineStyle(SeriesLines.DASH_DASH);
                chart.setYAxisGroupTitle(1, "KL, nats per image");
                chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
            }
        }
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static XYSeries add(XYChart chart, String name, double[] x, List<EpochMetrics> epochs,
                                Function<EpochMetrics, Double> f) {
        if (epochs.stream().anyMatch(e -> f.apply(e) == null)) {
            return null;
        }
        double[] y = epochs.stream().mapToDouble(e -> f.apply(e)).toArray();
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.CIRCLE);
        return s;
    }
}
