package io.rivven.api.io;

import io.rivven.api.Stable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A batch of file operations submitted together with {@link IoBackend#execute}: one submission on
 * io_uring, one after another elsewhere.
 *
 * <p>Ordering: operations take effect as if executed in list order; a {@link Sync} covers every
 * write before it in the batch. Read operations fill their buffer from its position to its limit
 * (short only at end of file) and advance its position. Immutable once built; the buffers belong
 * to the caller and must not be touched until {@code execute} returns.
 */
@Stable
public final class IoBatch {

    /** One operation. */
    public sealed interface Op permits Write, Append, Read, Sync {
        IoFile file();
    }

    /** Writes all remaining bytes of {@code data} at {@code position}. */
    public record Write(IoFile file, long position, ByteBuffer data) implements Op {
        public Write {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(data, "data");
            if (position < 0) {
                throw new IllegalArgumentException("position " + position + " < 0");
            }
        }
    }

    /** Appends all remaining bytes of {@code data} at the end of the file. */
    public record Append(IoFile file, ByteBuffer data) implements Op {
        public Append {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(data, "data");
        }
    }

    /** Reads into {@code dst} from {@code position}. */
    public record Read(IoFile file, long position, ByteBuffer dst) implements Op {
        public Read {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(dst, "dst");
            if (position < 0) {
                throw new IllegalArgumentException("position " + position + " < 0");
            }
        }
    }

    /** Makes the file durable ({@code metadata} false: data only, as fdatasync). */
    public record Sync(IoFile file, boolean metadata) implements Op {
        public Sync {
            Objects.requireNonNull(file, "file");
        }
    }

    private final List<Op> ops;

    private IoBatch(List<Op> ops) {
        this.ops = List.copyOf(ops);
    }

    /** The operations, in submission order. */
    public List<Op> ops() {
        return ops;
    }

    public int size() {
        return ops.size();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects operations; not thread-safe. */
    public static final class Builder {
        private final List<Op> ops = new ArrayList<>();

        private Builder() {
        }

        public Builder write(IoFile file, long position, ByteBuffer data) {
            ops.add(new Write(file, position, data));
            return this;
        }

        public Builder append(IoFile file, ByteBuffer data) {
            ops.add(new Append(file, data));
            return this;
        }

        public Builder read(IoFile file, long position, ByteBuffer dst) {
            ops.add(new Read(file, position, dst));
            return this;
        }

        public Builder sync(IoFile file, boolean metadata) {
            ops.add(new Sync(file, metadata));
            return this;
        }

        public IoBatch build() {
            return new IoBatch(ops);
        }
    }
}
