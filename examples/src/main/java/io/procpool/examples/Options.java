package io.procpool.examples;

/**
 * The two command-line options every example accepts, parsed by hand so the examples need nothing but procpool.
 *
 * @param workers the pool size: {@code --workers N}, by default {@code min(4, available processors)}
 * @param quick   {@code --quick}: smaller inputs, for a fast look
 */
record Options(int workers, boolean quick) {

    /**
     * Reads {@code args}; prints the usage and exits on {@code --help} or on anything it does not know.
     *
     * @param program the command shown in the usage line
     */
    static Options parse(String[] args, String program) {
        int workers = Math.min(4, Runtime.getRuntime().availableProcessors());
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--workers" -> {
                    if (i + 1 == args.length) {
                        usage(program, "--workers needs a number");
                    }
                    workers = parsePositive(args[++i], program);
                }
                case "--help", "-h" -> usage(program, null);
                default -> usage(program, "unknown argument: " + args[i]);
            }
        }
        return new Options(workers, quick);
    }

    private static int parsePositive(String text, String program) {
        try {
            int value = Integer.parseInt(text);
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the usage message, which says what is expected
        }
        usage(program, "--workers needs a number of at least 1, was " + text);
        return 0; // not reached: usage exits
    }

    private static void usage(String program, String error) {
        if (error != null) {
            System.err.println(error);
        }
        (error == null ? System.out : System.err).println(
                "usage: " + program + " [--workers N] [--quick]");
        System.exit(error == null ? 0 : 2);
    }
}
