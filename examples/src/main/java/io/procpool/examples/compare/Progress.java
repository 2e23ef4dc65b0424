package io.procpool.examples.compare;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on standard error, so that standard output holds only the tables and can be redirected to a file.
 * One step is one measurement (one engine on one workload).
 */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    Progress(long steps) {
        this.bar = new ProgressBarBuilder()
                .setTaskName("compare")
                .setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build();
    }

    /** Shows what is being measured now. */
    void doing(String what) {
        bar.setExtraMessage(what);
    }

    /** Counts one finished measurement. */
    void step() {
        bar.step();
    }

    /** Counts several finished measurements, taken together. */
    void step(int measurements) {
        bar.stepBy(measurements);
    }

    /** Stops the bar and its refresh thread: idle costs are measured afterwards, with nothing else running. */
    @Override
    public void close() {
        bar.close();
    }
}
