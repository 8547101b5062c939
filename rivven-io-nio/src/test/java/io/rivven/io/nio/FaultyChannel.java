package io.rivven.io.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A {@link FileChannel} over a real one that does what real files rarely do: short writes and
 * transfers ({@code maxPerCall} bytes per call), a write error after {@code writeBudget} bytes,
 * and a failing {@code force}. Lets the tests reach NioFile's loops and error paths.
 */
final class FaultyChannel extends FileChannel {

    private final FileChannel delegate;
    private final int maxPerCall;
    private long writeBudget;
    private final boolean forceFails;
    int forceCalls;
    int writeCalls;

    FaultyChannel(FileChannel delegate, int maxPerCall, long writeBudget, boolean forceFails) {
        this.delegate = delegate;
        this.maxPerCall = maxPerCall;
        this.writeBudget = writeBudget;
        this.forceFails = forceFails;
    }

    private int allowed(long wanted) throws IOException {
        writeCalls++;
        if (wanted > 0 && writeBudget == 0) {
            throw new IOException("injected: No space left on device");
        }
        return (int) Math.min(wanted, Math.min(maxPerCall, writeBudget));
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        int n = allowed(src.remaining());
        int written = delegate.write(src.slice(src.position(), n), position);
        src.position(src.position() + written);
        writeBudget -= written;
        return written;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long wanted = 0;
        for (int i = offset; i < offset + length; i++) {
            wanted += srcs[i].remaining();
        }
        int n = allowed(wanted);
        ByteBuffer tmp = ByteBuffer.allocate(n);
        for (int i = offset; i < offset + length && tmp.hasRemaining(); i++) {
            ByteBuffer s = srcs[i];
            int take = Math.min(s.remaining(), tmp.remaining());
            tmp.put(s.slice(s.position(), take));
            s.position(s.position() + take);
        }
        tmp.flip();
        while (tmp.hasRemaining()) {
            delegate.write(tmp);
        }
        writeBudget -= n;
        return n;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, Math.min(count, maxPerCall), target);
    }

    @Override
    public void force(boolean metaData) throws IOException {
        forceCalls++;
        if (forceFails) {
            throw new IOException("injected: Input/output error");
        }
        delegate.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        delegate.truncate(size);
        return this;
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return delegate.transferFrom(src, position, count);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return delegate.map(mode, position, size);
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
