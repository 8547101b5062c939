/**
 * Kafka RecordBatch v2, the format of Rivven's {@code .log} files: the layout
 * ({@link io.rivven.core.format.v2.RecordBatchLayout}), varints, the batch writer
 * ({@link io.rivven.core.format.v2.RecordBatchWriter}), the batch view
 * ({@link io.rivven.core.format.v2.RecordBatch}) with its record cursor, and the scanner of
 * back-to-back batches ({@link io.rivven.core.format.v2.RecordBatchReader}).
 *
 * <p>One package per on-disk format version (as Lucene does), so that an old reader can stay when a
 * new format arrives. Batches written here are byte-for-byte what Kafka's own
 * {@code MemoryRecordsBuilder} accepts and reads, with every standard codec; Kafka's batches read
 * here the same way (proven by the interop tests in {@code rivven-it}).
 */
package io.rivven.core.format.v2;
