package io.rivven.core.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * The batches a read returned: whole batches, as stored, from one segment file, not yet copied.
 * Send them with {@link #transferTo} (zero copy: sendfile where the platform has it) or copy them
 * with {@link #readInto}/{@link #toByteBuffer()}, then {@link #close()} the result: it holds the
 * segment so that retention cannot delete the file while it is being read.
 *
 * <p>An empty result ({@link #sizeInBytes()} 0) means the read offset is the high watermark.
 * Not thread-safe; close once.
 */
public final class FetchResult implements AutoCloseable {

    private final Segment segment; // null when empty
    private final long position;
    private final int size;
    private final long highWatermark;
    private final long logStartOffset;
    private boolean closed;

    FetchResult(Segment segment, long position, int size, long highWatermark, long logStartOffset) {
        this.segment = segment;
        this.position = position;
        this.size = size;
        this.highWatermark = highWatermark;
        this.logStartOffset = logStartOffset;
    }

    static FetchResult empty(long highWatermark, long logStartOffset) {
        return new FetchResult(null, 0, 0, highWatermark, logStartOffset);
    }

    /** Bytes of whole batches returned. */
    public int sizeInBytes() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The partition's high watermark when the read ran. */
    public long highWatermark() {
        return highWatermark;
    }

    /** The partition's log start offset when the read ran. */
    public long logStartOffset() {
        return logStartOffset;
    }

    /**
     * The segment file the batches are in (for protocol layers that send file regions): where it
     * is now, {@code .deleted} once retention renamed it (it stays until this result is closed).
     * Not after the partition closed (its topic deleted, the engine closed): the file may be gone
     * from every directory while this result still reads it, and the path may name another file by
     * then (a new topic's of the same name): send through {@link #transferTo}, which uses the
     * file this result holds, rather than by opening this path.
     */
    public Path file() {
        return segment == null ? null : segment.currentLogFile();
    }

    /** The batches' start position in {@link #file()}. */
    public long position() {
        return position;
    }

    /** Copies the batches into {@code dst} (which must have {@link #sizeInBytes()} bytes remaining). */
    public void readInto(ByteBuffer dst) throws IOException {
        check();
        if (dst.remaining() < size) {
            throw new IllegalArgumentException("destination has " + dst.remaining() + " bytes, the result " + size);
        }
        if (size == 0) {
            return;
        }
        int limit = dst.limit();
        dst.limit(dst.position() + size);
        try {
            segment.log().readFully(dst, position);
        } finally {
            dst.limit(limit);
        }
    }

    /** The batches in a new heap buffer, position 0, limit = size. */
    public ByteBuffer toByteBuffer() {
        ByteBuffer b = ByteBuffer.allocate(size);
        try {
            readInto(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.flip();
    }

    /** Sends every byte to {@code target} straight from the file (sendfile where possible). */
    public long transferTo(WritableByteChannel target) throws IOException {
        check();
        long done = 0;
        while (done < size) {
            long n = segment.log().transferTo(position + done, size - done, target);
            if (n <= 0) {
                throw new IOException(segment.currentLogFile() + ": transfer stopped after " + done + " of " + size
                        + " bytes from position " + position);
            }
            done += n;
        }
        return done;
    }

    /** Releases the segment; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (segment != null) {
                segment.release();
            }
        }
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("fetch result already closed");
        }
    }
}
