package io.rivven.core.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rivven.api.index.IndexProvider;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class IndexProvidersTest {

    @Test
    void serviceLoaderFindsTheBuiltInIndexes() {
        Map<String, String> suffixes = new TreeMap<>();
        for (IndexProvider p : ServiceLoader.load(IndexProvider.class)) {
            suffixes.put(p.name(), p.fileSuffix());
        }
        assertEquals("index", suffixes.get("offset"));
        assertEquals("timeindex", suffixes.get("time"));
    }

    @Test
    void moduleProvidesAndServiceFileAgree() throws IOException {
        ModuleDescriptor descriptor = OffsetIndexProvider.class.getModule().getDescriptor();
        assumeTrue(descriptor != null, "not running as a named module");
        Set<String> provided = new TreeSet<>();
        descriptor.provides().stream()
                .filter(p -> p.service().equals(IndexProvider.class.getName()))
                .forEach(p -> provided.addAll(p.providers()));
        Set<String> listed = new TreeSet<>();
        try (InputStream in = OffsetIndexProvider.class.getResourceAsStream(
                "/META-INF/services/" + IndexProvider.class.getName())) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    listed.add(line.strip());
                }
            }
        }
        assertEquals(provided, listed);
        assertEquals(Set.of(OffsetIndexProvider.class.getName(), TimeIndexProvider.class.getName()), provided);
    }
}
