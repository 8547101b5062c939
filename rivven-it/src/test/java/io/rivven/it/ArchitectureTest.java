package io.rivven.it;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.rivven.it.Build.ModuleDir;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of ARCHITECTURE.md §1, checked on the compiled classes of every module
 * ({@code ../rivven-*\/target/classes}, so modules added later are covered): api ← core ← cli;
 * plugins see only the api and their own libraries; nothing depends on a plugin; no package cycles
 * in core; exported API exposes no internal types.
 *
 * <p>rivven-bench is checked as a layer of its own above core (it may use core, nothing may use it);
 * rivven-it itself is not checked.
 */
class ArchitectureTest {

    /** Root packages of plugin modules. */
    static final String[] PLUGIN_PACKAGES = {"io.rivven.codec..", "io.rivven.io..", "io.rivven.tier..", "io.rivven.index.."};
    static final Set<String> UNCHECKED = Set.of("rivven-it");

    static List<ModuleDir> checked;
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        checked = new ArrayList<>();
        List<Path> paths = new ArrayList<>();
        for (ModuleDir m : Build.jpmsModules()) {
            if (!UNCHECKED.contains(m.artifactId())) {
                m.descriptor(); // fails clearly when the module was not built
                checked.add(m);
                paths.add(m.classes());
            }
        }
        classes = new ClassFileImporter().importPaths(paths);
    }

    @Test
    void theImportSeesEveryModule() {
        for (ModuleDir m : checked) {
            String root = m.descriptor().name();
            if (m.descriptor().packages().isEmpty()) {
                continue;
            }
            assertFalse(classes.stream().noneMatch(c -> c.getPackageName().startsWith(root)),
                    "no classes of " + m + " (" + root + ") imported from " + m.classes());
        }
    }

    @Test
    void apiDependsOnlyOnTheJdk() {
        classes().that().resideInAPackage("io.rivven.api..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.rivven.api..")
                .because("rivven-api needs nothing but java.base")
                .check(classes);
    }

    @Test
    void layersApiCoreCli() {
        layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true)
                .layer("API").definedBy("io.rivven.api..")
                .layer("Core").definedBy("io.rivven.core..")
                .layer("CLI").definedBy("io.rivven.cli..")
                .layer("Bench").definedBy("io.rivven.bench..")
                .layer("Testkit").definedBy("io.rivven.testkit..")
                .layer("Plugins").definedBy(PLUGIN_PACKAGES)
                .whereLayer("CLI").mayNotBeAccessedByAnyLayer()
                .whereLayer("Bench").mayNotBeAccessedByAnyLayer()
                .whereLayer("Core").mayOnlyBeAccessedByLayers("CLI", "Bench")
                .whereLayer("Testkit").mayNotBeAccessedByAnyLayer()
                .whereLayer("Plugins").mayNotBeAccessedByAnyLayer()
                .because("api ← core ← cli and bench; plugins and the testkit depend on the api only; nothing depends on a plugin")
                .check(classes);
    }

    @Test
    void eachPluginSeesOnlyTheApiAndItsOwnPackages() {
        int plugins = 0;
        for (ModuleDir m : checked) {
            String root = m.descriptor().name();
            if (!matchesPluginPackage(root)) {
                continue;
            }
            plugins++;
            noClasses().that().resideInAPackage(root + "..")
                    .should().dependOnClassesThat(resideInAPackage("io.rivven..")
                            .and(not(resideInAnyPackage("io.rivven.api..", root + ".."))))
                    .because(m.artifactId() + " is a plugin: it may use io.rivven.api and its own libraries, never core, "
                            + "the cli or another plugin")
                    .check(classes);
        }
        assertFalse(plugins == 0, "no plugin modules found among " + checked);
    }

    @Test
    void nothingOutsideAPluginDependsOnAPlugin() {
        noClasses().that().resideOutsideOfPackages(PLUGIN_PACKAGES)
                .should().dependOnClassesThat().resideInAnyPackage(PLUGIN_PACKAGES)
                .because("plugins are found through ServiceLoader, never referenced")
                .check(classes);
    }

    @Test
    void noPackageCyclesInCore() {
        slices().matching("io.rivven.core.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void noPackageCyclesInAnyOtherModule() {
        slices().matching("io.rivven.(**)").should().beFreeOfCycles()
                .ignoreDependency(resideInAPackage("io.rivven.core.."), resideInAPackage("io.rivven.core.."))
                .check(classes);
    }

    @Test
    void exportedApiExposesNoInternalTypes() {
        Set<String> exported = new HashSet<>();
        for (ModuleDir m : checked) {
            for (ModuleDescriptor.Exports e : m.descriptor().exports()) {
                if (!e.isQualified()) {
                    exported.add(e.source());
                }
            }
        }
        Set<String> violations = new TreeSet<>();
        for (JavaClass c : classes) {
            if (!exported.contains(c.getPackageName()) || !isPublicApi(c)) {
                continue;
            }
            c.getSuperclass().ifPresent(t -> check(c, "extends", t, exported, violations));
            c.getInterfaces().forEach(t -> check(c, "implements", t, exported, violations));
            for (JavaField f : c.getFields()) {
                if (visible(f.getModifiers())) {
                    check(c, "field " + f.getName(), f.getType(), exported, violations);
                }
            }
            for (JavaCodeUnit u : c.getCodeUnits()) {
                if (!visible(u.getModifiers()) || u.getModifiers().contains(JavaModifier.SYNTHETIC)
                        || u.getModifiers().contains(JavaModifier.BRIDGE) || u.getName().equals("<clinit>")) {
                    continue;
                }
                String where = u.getName() + "()";
                check(c, where + " returns", u.getReturnType(), exported, violations);
                for (JavaType p : u.getParameterTypes()) {
                    check(c, where + " parameter", p, exported, violations);
                }
                u.getThrowsClause().getTypes().forEach(t -> check(c, where + " throws", t, exported, violations));
            }
        }
        assertEquals(Set.of(), violations, "public API of exported packages refers to types of packages that are not "
                + "exported (export them, or keep them out of public signatures)");
    }

    private static boolean matchesPluginPackage(String pkg) {
        for (String p : PLUGIN_PACKAGES) {
            String prefix = p.substring(0, p.length() - 2);
            if (pkg.equals(prefix) || pkg.startsWith(prefix + ".")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPublicApi(JavaClass c) {
        for (JavaClass k = c; k != null; k = k.getEnclosingClass().orElse(null)) {
            if (!k.getModifiers().contains(JavaModifier.PUBLIC) || k.isAnonymousClass() || k.isLocalClass()) {
                return false;
            }
        }
        return true;
    }

    private static boolean visible(Set<JavaModifier> modifiers) {
        return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
    }

    private static void check(JavaClass owner, String where, JavaType type, Set<String> exported, Set<String> violations) {
        for (JavaClass t : type.getAllInvolvedRawTypes()) {
            JavaClass base = t.isArray() ? t.getBaseComponentType() : t;
            if (base.isPrimitive()) {
                continue;
            }
            String pkg = base.getPackageName();
            if (pkg.startsWith("io.rivven.") && !exported.contains(pkg)) {
                violations.add(owner.getName() + " " + where + " " + base.getName());
            }
        }
    }
}
