package io.rivven.core.format.v2;

import io.rivven.api.Evolving;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecProvider;
import io.rivven.core.record.CorruptRecordException;
import java.util.Collection;
import java.util.List;
import java.util.StringJoiner;

/**
 * Finds the codec that decompresses a batch, by the id in its attribute bits 0–2. The plugin
 * registry provides one over every loaded codec; {@link #of} builds one from a fixed set.
 *
 * <p>Readers never ask for id 0 (uncompressed batches are read in place), so a resolver need not
 * know {@code none}.
 *
 * <p>Implementations are thread-safe.
 */
@Evolving
@FunctionalInterface
public interface CodecResolver {

    /**
     * The codec with {@code id}.
     *
     * @param id the codec id, 1–7
     * @throws CorruptRecordException if no loaded codec has this id; the message names the id and
     *         the ids available (the reader adds the batch position)
     */
    Codec forId(byte id);

    /** A resolver that knows no compressed codec: reading a compressed batch fails clearly. */
    static CodecResolver uncompressedOnly() {
        return of(List.of());
    }

    /**
     * A resolver over {@code codecs}, looked up by id in an array.
     *
     * @throws IllegalArgumentException if an id is out of range or two codecs share one
     */
    static CodecResolver of(Collection<? extends Codec> codecs) {
        Codec[] byId = new Codec[CodecProvider.MAX_ID + 1];
        StringJoiner known = new StringJoiner(", ");
        for (Codec c : codecs) {
            int id = c.id();
            if (id < 0 || id > CodecProvider.MAX_ID) {
                throw new IllegalArgumentException("codec '" + c.name() + "' has id " + id + ", outside 0-" + CodecProvider.MAX_ID);
            }
            if (byId[id] != null) {
                throw new IllegalArgumentException("codecs '" + byId[id].name() + "' and '" + c.name() + "' share id " + id);
            }
            byId[id] = c;
        }
        for (int id = 0; id < byId.length; id++) {
            if (byId[id] != null) {
                known.add(id + " (" + byId[id].name() + ")");
            }
        }
        String available = known.length() == 0 ? "none but 0 (uncompressed)" : known.toString();
        return id -> {
            Codec c = id >= 0 && id < byId.length ? byId[id] : null;
            if (c == null) {
                throw new CorruptRecordException(-1, "attributes.codec", "no codec with id " + id + " is loaded; loaded ids: "
                        + available + "; install the plugin that provides it (see 'rivven plugins')");
            }
            return c;
        };
    }

    /** As {@link #of(Collection)}. */
    static CodecResolver of(Codec... codecs) {
        return of(List.of(codecs));
    }
}
