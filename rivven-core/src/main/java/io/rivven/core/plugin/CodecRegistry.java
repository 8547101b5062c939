package io.rivven.core.plugin;

import io.rivven.api.ConfigException;
import io.rivven.api.PluginConfig;
import io.rivven.api.codec.Codec;
import io.rivven.api.codec.CodecException;
import io.rivven.api.codec.CodecProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The compression codecs, by name and by the 3-bit id written in every batch.
 *
 * <p>Besides the checks of {@link PluginRegistry}, construction requires every id to be within
 * 0–{@value CodecProvider#MAX_ID} and unique, ids 0–4 to carry Kafka's names (none, gzip, snappy,
 * lz4, zstd) and those names to carry Kafka's ids: a batch's id is what Kafka decodes it with.
 *
 * <p>{@link #forId(byte)} is the batch reader's resolver: it returns a codec created with default
 * options (a decoder needs none: levels only matter when compressing), created on first use and
 * cached, so that looking a codec up per batch costs one array read.
 *
 * <p>Thread safety: safe for concurrent use.
 */
public final class CodecRegistry extends PluginRegistry<CodecProvider> {

    private static final int IDS = CodecProvider.MAX_ID + 1;
    /** The names of ids 0–4: Kafka's codecs. */
    private static final List<String> STANDARD_NAMES = List.of("none", "gzip", "snappy", "lz4", "zstd");

    private final List<PluginInfo<CodecProvider>> byId = new ArrayList<>(Collections.nCopies(IDS, null));
    private final AtomicReferenceArray<Codec> decoders = new AtomicReferenceArray<>(IDS);

    CodecRegistry(List<PluginInfo<CodecProvider>> plugins) {
        super(Spi.CODEC, plugins);
        for (PluginInfo<CodecProvider> info : plugins) { // discovery order: the first found is named first
            byte id = info.provider().id();
            if (id < 0 || id > CodecProvider.MAX_ID) {
                throw new PluginLoadException(info.describe() + " has codec id " + id + "; ids must be between 0 and "
                        + CodecProvider.MAX_ID + " (0-4 are Kafka's, " + CodecProvider.FIRST_CUSTOM_ID + "-"
                        + CodecProvider.MAX_ID + " are free for third-party codecs)");
            }
            String standard = id < CodecProvider.FIRST_CUSTOM_ID ? STANDARD_NAMES.get(id) : null;
            if (standard != null && !standard.equals(info.name())) {
                throw new PluginLoadException(info.describe() + " has codec id " + id + ", which is Kafka's '" + standard
                        + "'; ids 0-4 are the standard codecs (" + String.join(", ", STANDARD_NAMES) + "), third-party codecs use "
                        + CodecProvider.FIRST_CUSTOM_ID + "-" + CodecProvider.MAX_ID + ": fix the provider's id()");
            }
            int standardId = STANDARD_NAMES.indexOf(info.name());
            if (standardId >= 0 && standardId != id) {
                throw new PluginLoadException(info.describe() + " has codec id " + id + ", but '" + info.name()
                        + "' is Kafka's codec with id " + standardId + ": fix the provider's id()");
            }
            PluginInfo<CodecProvider> previous = byId.get(id);
            if (previous != null) {
                throw new PluginLoadException("compression codecs '" + previous.name() + "' (" + previous.source().describe()
                        + ") and '" + info.name() + "' (" + info.source().describe() + ") both use codec id " + id
                        + "; ids are written into data and must be unique (" + CodecProvider.FIRST_CUSTOM_ID + "-"
                        + CodecProvider.MAX_ID + " are free for third-party codecs); remove one of them");
            }
            byId.set(id, info);
        }
    }

    /** The provider with codec id {@code id}, if installed. */
    public Optional<CodecProvider> providerForId(int id) {
        return id < 0 || id >= IDS || byId.get(id) == null ? Optional.empty() : Optional.of(byId.get(id).provider());
    }

    /**
     * The codec for the id found in a batch's attribute bits 0–2, with default options.
     *
     * @throws CodecException if no installed codec has this id (the message lists the installed ids
     *         and the fix; callers add the file and position), or if the codec cannot be created
     *         with default options
     */
    public Codec forId(byte id) {
        if (id >= 0 && id < IDS) {
            Codec codec = decoders.get(id);
            if (codec != null) {
                return codec;
            }
        }
        return createDecoder(id);
    }

    /**
     * Creates the codec a configuration object selects, with its options.
     *
     * @throws PluginNotFoundException if no codec has that name
     * @throws ConfigException if the codec rejects an option
     */
    public Codec create(PluginSpec spec) {
        return get(spec).create(configOf(spec));
    }

    private Codec createDecoder(byte id) {
        if (id < 0 || id >= IDS || byId.get(id) == null) {
            throw new CodecException("no compression codec with id " + id + "; installed: " + installedIds()
                    + "; " + PluginNotFoundException.FIX);
        }
        PluginInfo<CodecProvider> info = byId.get(id);
        Codec codec;
        try {
            codec = info.provider().create(PluginConfig.empty("(decoder for codec id " + id + ")"));
        } catch (ConfigException e) {
            throw new CodecException(info.describe() + " cannot be created with default options to decode batches: "
                    + e.getMessage(), e);
        }
        if (codec == null || codec.id() != id) {
            throw new CodecException(info.describe() + " created a codec with id "
                    + (codec == null ? "null" : codec.id()) + ", expected " + id + "; the provider is broken");
        }
        return decoders.compareAndSet(id, null, codec) ? codec : decoders.get(id);
    }

    private String installedIds() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < IDS; i++) {
            if (byId.get(i) != null) {
                ids.add(i + " " + byId.get(i).name());
            }
        }
        return ids.isEmpty() ? "(none)" : String.join(", ", ids);
    }
}
