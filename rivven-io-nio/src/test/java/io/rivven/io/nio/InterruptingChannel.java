package io.rivven.io.nio;

import io.rivven.api.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link FileChannel} over a real one that, while a shared budget of strikes lasts, makes its
 * operations meet a thread interrupt the way a real channel does, so tests can reach every reopen
 * path without timing luck:
 * <ul>
 *   <li>{@link Mode#SELF}: the operation does part of its work (half the bytes of a read or write,
 *       the truncation itself), then the calling thread's interrupt flag is set and the real
 *       channel is called again: the JDK closes it and throws {@link java.nio.channels.ClosedByInterruptException}
 *       (for {@code transferTo} it closes the target too, as it does for real).</li>
 *   <li>{@link Mode#OTHER}: the real channel is closed first, as another thread's interrupt would
 *       close it, then called: {@link ClosedChannelException} (an
 *       {@link java.nio.channels.AsynchronousCloseException} from {@code transferTo}).</li>
 * </ul>
 * Either way this channel closes too, as the real one did. Each I/O call spends one strike.
 */
final class InterruptingChannel extends FileChannel {

    enum Mode { SELF, OTHER }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException;
    }

    private final FileChannel delegate;
    private final Mode mode;
    private final AtomicInteger strikes;

    InterruptingChannel(FileChannel delegate, Mode mode, AtomicInteger strikes) {
        this.delegate = delegate;
        this.mode = mode;
        this.strikes = strikes;
    }

    /** An opener whose reopened channels strike too, from the same budget. */
    static ReopenableChannel.Opener opener(Mode mode, AtomicInteger strikes) {
        return new ReopenableChannel.Opener() {
            @Override
            FileChannel reopen(Path path, OpenMode openMode) throws IOException {
                return new InterruptingChannel(super.reopen(path, openMode), mode, strikes);
            }
        };
    }

    private boolean strike() {
        return strikes.getAndUpdate(s -> Math.max(0, s - 1)) > 0;
    }

    private void hit() throws IOException {
        if (mode == Mode.SELF) {
            Thread.currentThread().interrupt();
        } else {
            delegate.close();
        }
    }

    private <T> T call(Call<T> c) throws IOException {
        try {
            return c.run();
        } catch (ClosedChannelException e) {
            close();
            throw e;
        }
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        if (strike()) {
            int half = dst.remaining() / 2;
            if (half > 0 && mode == Mode.SELF) {
                int n = delegate.read(dst.slice(dst.position(), half), position);
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
            }
            hit();
        }
        return call(() -> delegate.read(dst, position));
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        if (strike()) {
            int half = src.remaining() / 2;
            if (half > 0 && mode == Mode.SELF) {
                int n = delegate.write(src.slice(src.position(), half), position);
                src.position(src.position() + n);
            }
            hit();
        }
        return call(() -> delegate.write(src, position));
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (strike()) {
            if (mode == Mode.SELF) {
                for (int i = offset; i < offset + length; i++) {
                    if (srcs[i].hasRemaining()) {
                        delegate.write(srcs[i]); // one buffer gets through, moving the channel's position
                        break;
                    }
                }
            }
            hit();
        }
        return call(() -> delegate.write(srcs, offset, length));
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        if (strike()) {
            if (mode == Mode.SELF && count > 1) {
                long n = delegate.transferTo(position, count / 2, target);
                position += n;
                count -= n;
            }
            hit();
        }
        long p = position;
        long c = count;
        return call(() -> delegate.transferTo(p, c, target));
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        if (strike()) {
            if (mode == Mode.SELF) {
                delegate.truncate(size);
            }
            hit();
        }
        call(() -> delegate.truncate(size));
        return this;
    }

    @Override
    public long size() throws IOException {
        if (strike()) {
            hit();
        }
        return call(delegate::size);
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (strike()) {
            hit();
        }
        call(() -> {
            delegate.force(metaData);
            return null;
        });
    }

    @Override
    public long position() throws IOException {
        return call(delegate::position);
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        call(() -> delegate.position(newPosition));
        return this;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return call(() -> delegate.read(dst));
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return call(() -> delegate.read(dsts, offset, length));
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return call(() -> delegate.transferFrom(src, position, count));
    }

    @Override
    public MappedByteBuffer map(MapMode mapMode, long position, long size) throws IOException {
        return delegate.map(mapMode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}
