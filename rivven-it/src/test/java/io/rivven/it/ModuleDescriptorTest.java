package io.rivven.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rivven.it.Build.ModuleDir;
import java.lang.module.ModuleDescriptor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every module directory {@code ../rivven-*} with a module-info: its compiled descriptor's
 * {@code provides} equal its {@code META-INF/services} entries (so module-path and class-path users
 * find the same providers), and every package sits under the module name (module name = root package).
 */
class ModuleDescriptorTest {

    static Stream<ModuleDir> jpmsModules() {
        return Build.jpmsModules().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jpmsModules")
    void providesEqualsMetaInfServices(ModuleDir module) {
        ModuleDescriptor d = module.descriptor();
        Map<String, Set<String>> provides = new TreeMap<>();
        for (ModuleDescriptor.Provides p : d.provides()) {
            provides.put(p.service(), new TreeSet<>(p.providers()));
        }
        assertEquals(provides, module.serviceFiles(), module + ": module-info.java 'provides' and "
                + "src/main/resources/META-INF/services/ must list the same providers");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jpmsModules")
    void packagesSitUnderTheModuleName(ModuleDir module) {
        ModuleDescriptor d = module.descriptor();
        for (String pkg : d.packages()) {
            assertTrue(pkg.equals(d.name()) || pkg.startsWith(d.name() + "."),
                    module + ": package " + pkg + " is not under the module name " + d.name());
        }
    }

    @Test
    void pluginModulesProvideSomethingAndExportNothingInternal() {
        List<ModuleDir> plugins = Build.pluginModules();
        assertFalse(plugins.isEmpty(), "no plugin modules (.rivven-plugin) found");
        for (ModuleDir m : plugins) {
            ModuleDescriptor d = m.descriptor();
            assertFalse(d.provides().isEmpty(), m + " is marked as a plugin but provides no service");
            assertTrue(d.requires().stream().noneMatch(r -> r.name().equals("io.rivven.core")),
                    m + " requires io.rivven.core; plugins depend on io.rivven.api only");
        }
    }

    @Test
    void everyJpmsModuleIsChecked() {
        Set<String> names = new TreeSet<>();
        jpmsModules().forEach(m -> names.add(m.artifactId()));
        for (String expected : List.of("rivven-api", "rivven-core", "rivven-cli", "rivven-testkit", "rivven-it")) {
            assertTrue(names.contains(expected), expected + " missing from " + names);
        }
    }
}
