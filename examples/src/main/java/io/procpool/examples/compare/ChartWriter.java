package io.procpool.examples.compare;

import io.procpool.examples.compare.Results.Speedup;
import io.procpool.examples.compare.Results.Transfer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Draws the two pictures that answer "when do processes pay off" into one PNG: the cost of one call against the
 * payload size (log-log), and the speedup against the task duration (log x). Runs headless: it needs no display,
 * only {@code java.awt.headless=true}, which {@link Compare} sets before any AWT class loads.
 */
final class ChartWriter {
    private static final int PANEL_WIDTH = 760;
    private static final int PANEL_HEIGHT = 540;
    private static final List<Engine> SERIES = List.of(Engine.THREAD_POOL, Engine.PROCESS_POOL, Engine.PYTHON);

    private ChartWriter() {
    }

    /**
     * @return whether a chart was written; false if there was nothing to draw
     */
    static boolean write(Results results, Path png) throws IOException {
        int workers = results.plan.workers();
        XYChart overhead = chart("Time per apply(identity) call vs payload size", "payload (bytes)",
                "time per call (us)", true);
        for (Engine engine : SERIES) {
            List<Transfer> points = results.payload.stream().filter(r -> r.engine() == engine)
                    .sorted(Comparator.comparingLong(Transfer::payloadBytes)).toList();
            addSeries(overhead, engine.label(workers), points, r -> r.payloadBytes(), Transfer::perCallMicros);
        }

        XYChart speedup = chart("Speedup over sequential vs task duration (map, default chunking)",
                "task duration (us)", "speedup (x)", false);
        for (Engine engine : SERIES) {
            List<Speedup> points = results.taskDuration.stream().filter(r -> r.engine() == engine)
                    .sorted(Comparator.comparingDouble(Speedup::taskMicros)).toList();
            addSeries(speedup, engine.label(workers), points, Speedup::taskMicros, Speedup::speedup);
        }
        if (!speedup.getSeriesCollection().isEmpty()) {
            // The line a pool must clear to be worth having at all.
            double[] x = results.plan.spinNanos().stream().mapToDouble(n -> n / 1e3).toArray();
            XYSeries breakEven = speedup.addSeries("break-even (1x)", new double[] {x[0], x[x.length - 1]},
                    new double[] {1, 1});
            breakEven.setMarker(SeriesMarkers.NONE);
            breakEven.setLineColor(Color.GRAY);
            breakEven.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                    new float[] {6, 4}, 0));
        }

        if (overhead.getSeriesCollection().isEmpty() && speedup.getSeriesCollection().isEmpty()) {
            return false;
        }
        Files.createDirectories(png.toAbsolutePath().getParent());
        BitmapEncoder.saveBitmap(List.of(overhead, speedup), 1, 2, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        return true;
    }

    private static XYChart chart(String title, String xTitle, String yTitle, boolean logY) {
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setMarkerSize(7);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        return chart;
    }

    private static <T> void addSeries(XYChart chart, String name, List<T> points, ToDoubleFunction<T> x,
                                      ToDoubleFunction<T> y) {
        // A log axis cannot show zero, and XChart refuses an empty series: leave such points out rather than fail.
        List<T> drawable = points.stream().filter(p -> x.applyAsDouble(p) > 0 && y.applyAsDouble(p) > 0).toList();
        if (!drawable.isEmpty()) {
            chart.addSeries(name, drawable.stream().mapToDouble(x).toArray(),
                    drawable.stream().mapToDouble(y).toArray());
        }
    }
}
