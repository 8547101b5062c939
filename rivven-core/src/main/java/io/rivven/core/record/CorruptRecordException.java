package io.rivven.core.record;

import io.rivven.api.Evolving;
import java.io.Serial;

/**
 * Stored record data is malformed: a batch header, checksum, record field or compressed section
 * does not hold what the format requires.
 *
 * <p>The message names where (the position of the batch, and of the record when it is a record's
 * fault), which field, what was found and what was expected, e.g. {@code batch at position 81920
 * has CRC 0x1a2b3c4d, expected 0x5e6f7a8b}. Code that knows the file adds it with
 * {@link #withSource}: {@code /data/orders/partition-0/00000000000000000000.log: batch at position
 * 81920 …}.
 *
 * <p>Unchecked on purpose: records are decoded inside iterators and callbacks (an index's
 * {@code forEachKey}, say) that cannot throw checked exceptions, and corruption is not something
 * a caller can usually retry. Callers that scan logs (recovery, {@code rivven verify}) catch it to
 * truncate or report at {@link #position()}.
 */
@Evolving
public class CorruptRecordException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String source;
    private final long position;
    private final String field;
    private final String detail;

    /**
     * @param position the position of the batch the problem is in (as known to the caller: a file
     *                 position, or an index in a buffer), or -1 when unknown
     * @param field    the field that is wrong, e.g. {@code "crc"}, {@code "records[3].keyLength"}
     * @param detail   the full message without source prefix, naming the position, field, actual
     *                 and expected values
     */
    public CorruptRecordException(long position, String field, String detail) {
        this(null, position, field, detail, null);
    }

    /** As {@link #CorruptRecordException(long, String, String)} with a cause (a codec failure, say). */
    public CorruptRecordException(long position, String field, String detail, Throwable cause) {
        this(null, position, field, detail, cause);
    }

    private CorruptRecordException(String source, long position, String field, String detail, Throwable cause) {
        super(source == null ? detail : source + ": " + detail, cause);
        this.source = source;
        this.position = position;
        this.field = field;
        this.detail = detail;
    }

    /**
     * A copy of this exception whose message starts with {@code source} (usually the absolute path of
     * the file), keeping position, field and cause. Returns {@code this} if {@code source} is null.
     */
    public CorruptRecordException withSource(String source) {
        if (source == null) {
            return this;
        }
        CorruptRecordException e = new CorruptRecordException(source, position, field, detail, getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** The file or other source named in the message, or null if none was given. */
    public String source() {
        return source;
    }

    /** The position of the batch holding the problem, or -1 when unknown. */
    public long position() {
        return position;
    }

    /** The field that is wrong, e.g. {@code "crc"} or {@code "records[3].valueLength"}. */
    public String field() {
        return field;
    }
}
