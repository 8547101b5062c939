package io.rivven.api.io;

import io.rivven.api.Stable;

/** How {@link IoBackend#open} opens a file. */
@Stable
public enum OpenMode {
    /** Reads only; the file must exist. Write methods throw {@link java.nio.channels.NonWritableChannelException}. */
    READ,
    /** Reads and writes; the file is created when missing. */
    READ_WRITE
}
