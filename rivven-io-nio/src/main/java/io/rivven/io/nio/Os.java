package io.rivven.io.nio;

import java.util.Locale;

/** The operating system this backend runs on, for the few things that differ. */
final class Os {

    private static final String NAME = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);

    /** Windows: no directory channels, and an asynchronous channel starts a completion port and its threads. */
    static final boolean WINDOWS = NAME.startsWith("windows");
    /** Linux: {@code fallocate} and {@code /proc/self/fd}. */
    static final boolean LINUX = NAME.startsWith("linux");

    private Os() {
    }
}
