/**
 * Record value types shared by the engine's API and the batch format: {@link io.rivven.core.record.Record},
 * {@link io.rivven.core.record.Header}, {@link io.rivven.core.record.TimestampType} and
 * {@link io.rivven.core.record.CorruptRecordException}.
 */
package io.rivven.core.record;
