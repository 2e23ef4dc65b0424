package io.procpool.examples.compare;

import io.procpool.Serialization;
import io.procpool.examples.compare.Results.SerialPayload;
import io.procpool.examples.compare.Results.Speedup;
import io.procpool.examples.compare.Results.Transfer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
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
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Draws the two pictures that answer "when do processes pay off" into one PNG: the cost of one call against the
 * payload size (log-log), and the speedup against the task duration (log x); and section 10's into another: per
 * payload, each serialisation's time and bytes per call, as bars. Runs headless: it needs no display,
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

    /**
     * Section 10 as two bar charts side by side, a group of bars per payload and a bar per serialisation: the time
     * per {@code apply(identity)} call, and the bytes sent per call. Both on log axes, since the payloads span
     * several orders of magnitude. XChart needs a value for every bar, and a log axis refuses anything not above
     * zero, so a payload that some serialisation has no figure for is left out of the chart (the tables show it).
     *
     * @return whether a chart was written; false if no payload has figures for every serialisation measured
     */
    static boolean writeSerialisation(Results results, Path png) throws IOException {
        List<SerialPayload> rows = results.serialisationPayload;
        List<Serialization> measured = Arrays.stream(Serialization.values())
                .filter(s -> rows.stream().anyMatch(r -> r.serialization() == s)).toList();
        List<Payload> complete = Arrays.stream(Payload.values())
                .filter(p -> measured.stream().allMatch(s -> serialPayload(rows, p, s)
                        .filter(r -> r.perCallMicros() > 0 && r.perItem().bytesToWorkers() > 0).isPresent()))
                .toList();
        if (measured.isEmpty() || complete.isEmpty()) {
            return false;
        }
        String pool = Engine.PROCESS_POOL.label(results.plan.workers());
        CategoryChart time = barChart("Time per apply(identity) call, " + pool, "time per call (us)");
        CategoryChart size = barChart("Bytes sent to a worker per call", "bytes");
        List<String> categories = complete.stream().map(Payload::shortLabel).toList();
        for (Serialization s : measured) {
            List<SerialPayload> bars = complete.stream().map(p -> serialPayload(rows, p, s).orElseThrow()).toList();
            addBars(time, s.name(), categories, bars.stream().map(SerialPayload::perCallMicros).toList());
            addBars(size, s.name(), categories, bars.stream().map(r -> r.perItem().bytesToWorkers()).toList());
        }
        Files.createDirectories(png.toAbsolutePath().getParent());
        BitmapEncoder.saveBitmap(List.of(time, size), 1, 2, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        return true;
    }

    private static Optional<SerialPayload> serialPayload(List<SerialPayload> rows, Payload payload,
                                                         Serialization serialization) {
        return Results.find(rows, r -> r.payload().equals(payload.label()) && r.serialization() == serialization);
    }

    /**
     * Adds a series, and widens the axis to the powers of ten around its bars: bars grow from the axis's minimum,
     * which XChart would otherwise put at zero, and a log axis cannot show zero; the top gets its label too. The
     * floor is at least a third below the smallest bar, so that a bar just above a power of ten still shows.
     */
    private static void addBars(CategoryChart chart, String name, List<String> categories, List<Double> values) {
        chart.addSeries(name, categories, values);
        double smallest = values.stream().mapToDouble(v -> v).min().orElseThrow();
        double floor = Math.pow(10, Math.floor(Math.log10(smallest / 3)));
        double ceiling = Math.pow(10, Math.ceil(Math.log10(values.stream().mapToDouble(v -> v).max().orElseThrow())));
        Double min = chart.getStyler().getYAxisMin();
        Double max = chart.getStyler().getYAxisMax();
        chart.getStyler().setYAxisMin(min == null ? floor : Math.min(min, floor));
        chart.getStyler().setYAxisMax(max == null ? ceiling : Math.max(max, ceiling));
    }

    private static CategoryChart barChart(String title, String yTitle) {
        CategoryChart chart = new CategoryChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle("payload").yAxisTitle(yTitle).build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        return chart;
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
