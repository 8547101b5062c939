package io.rivven.io.nio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * Storage reservation beyond a file's end, Linux only: {@code open(2)}, {@code fallocate(2)} with
 * {@code FALLOC_FL_KEEP_SIZE}, {@code ftruncate(2)} and {@code close(2)} from libc through the
 * foreign function API. A {@code FileChannel} has no fallocate and does not hand out its
 * descriptor, so a file that reserves opens a second, write-only descriptor of its own.
 *
 * <p>{@link #AVAILABLE} only on Linux on x86-64 or AArch64 (the flag values below are theirs) and
 * when native access is enabled for this module ({@code --enable-native-access=io.rivven.io.nio},
 * or granted by the engine to the plugin layer this module was loaded in). Otherwise nothing is
 * reserved, silently: the JDK's warning about restricted methods is never triggered.
 *
 * <p>Every call returns {@code errno} (0 on success) instead of throwing: a reservation is a hint,
 * and its failure must never fail an append.
 */
final class Fallocate {

    private static final int O_WRONLY = 1;
    private static final int O_CLOEXEC = 0x80000;
    private static final int FALLOC_FL_KEEP_SIZE = 1;

    /** Whether the calls below may be made. */
    static final boolean AVAILABLE;

    private static final MethodHandle OPEN;
    private static final MethodHandle FALLOCATE;
    private static final MethodHandle FTRUNCATE;
    private static final MethodHandle CLOSE;
    private static final StructLayout STATE;
    private static final VarHandle ERRNO;

    static {
        MethodHandle open = null;
        MethodHandle fallocate = null;
        MethodHandle ftruncate = null;
        MethodHandle close = null;
        StructLayout state = null;
        VarHandle errno = null;
        boolean available = false;
        String arch = System.getProperty("os.arch", "");
        if (Os.LINUX && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))
                && Fallocate.class.getModule().isNativeAccessEnabled()) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                Linker.Option capture = Linker.Option.captureCallState("errno");
                state = Linker.Option.captureStateLayout();
                errno = state.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                open = linker.downcallHandle(libc.findOrThrow("open"),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT),
                        capture, Linker.Option.firstVariadicArg(2));
                fallocate = linker.downcallHandle(libc.findOrThrow("fallocate"),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                        capture);
                ftruncate = linker.downcallHandle(libc.findOrThrow("ftruncate"),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
                        capture);
                close = linker.downcallHandle(libc.findOrThrow("close"),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                available = true;
            } catch (RuntimeException | LinkageError e) {
                available = false; // no such symbol or no linker here: reserve nothing
            }
        }
        OPEN = open;
        FALLOCATE = fallocate;
        FTRUNCATE = ftruncate;
        CLOSE = close;
        STATE = state;
        ERRNO = errno;
        AVAILABLE = available;
    }

    private Fallocate() {
    }

    /**
     * Opens {@code path} write-only.
     *
     * @return the descriptor, or {@code -errno}
     */
    static int openWriteOnly(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(STATE);
            MemorySegment name = arena.allocateFrom(path.toAbsolutePath().toString());
            int fd = (int) OPEN.invokeExact(st, name, O_WRONLY | O_CLOEXEC, 0);
            return fd >= 0 ? fd : -errno(st);
        } catch (Throwable t) {
            throw new AssertionError("open(2) through FFM", t);
        }
    }

    /** Reserves {@code length} bytes from {@code offset} without changing the file's size; 0 or errno. */
    static int keepSize(int fd, long offset, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(STATE);
            int r = (int) FALLOCATE.invokeExact(st, fd, FALLOC_FL_KEEP_SIZE, offset, length);
            return r == 0 ? 0 : errno(st);
        } catch (Throwable t) {
            throw new AssertionError("fallocate(2) through FFM", t);
        }
    }

    /** Sets the file's size to {@code size}, releasing blocks reserved beyond it; 0 or errno. */
    static int ftruncate(int fd, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(STATE);
            int r = (int) FTRUNCATE.invokeExact(st, fd, size);
            return r == 0 ? 0 : errno(st);
        } catch (Throwable t) {
            throw new AssertionError("ftruncate(2) through FFM", t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd); // a write-only descriptor that wrote nothing: nothing to lose
        } catch (Throwable t) {
            throw new AssertionError("close(2) through FFM", t);
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }
}
