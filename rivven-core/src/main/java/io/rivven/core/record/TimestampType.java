package io.rivven.core.record;

import io.rivven.api.Evolving;

/**
 * What a batch's timestamps mean: attribute bit 3 of a Kafka RecordBatch v2.
 *
 * <p>{@link #CREATE_TIME}: each record carries the time its producer gave it. {@link #LOG_APPEND_TIME}:
 * the log stamped the batch when it was appended; the batch's max timestamp holds that time and
 * readers report it as every record's timestamp (as Kafka does).
 */
@Evolving
public enum TimestampType {
    /** Attribute bit 3 clear: record timestamps are the producers'. */
    CREATE_TIME,
    /** Attribute bit 3 set: the batch's max timestamp is the append time of every record. */
    LOG_APPEND_TIME
}
