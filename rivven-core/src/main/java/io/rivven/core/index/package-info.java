/**
 * The built-in segment indexes, as plugins of the index SPI ({@link io.rivven.api.index}): the
 * offset index ({@code .index}, provider {@code offset}, {@link io.rivven.core.index.OffsetIndex})
 * and the time index ({@code .timeindex}, provider {@code time},
 * {@link io.rivven.core.index.TimeIndex}), both memory-mapped through the FFM API with
 * deterministic unmapping, in Kafka's file formats; and {@link io.rivven.core.index.LazyIndex},
 * which defers opening any index type until it is used.
 *
 * <p>The engine opens them through their providers like any other index type; the on-disk layouts
 * are described by {@link io.rivven.core.index.OffsetIndexFormat} and
 * {@link io.rivven.core.index.TimeIndexFormat}.
 */
package io.rivven.core.index;
