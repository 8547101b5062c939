package io.rivven.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./rivven} launcher script, run in a copy of the repository layout whose "JDK" is a
 * script that prints its arguments and reads its standard input (no build, no real JVM).
 */
class LauncherTest {

    @TempDir
    Path root;

    @BeforeEach
    void fakeRepository() throws IOException {
        Path launcher = Path.of("..", "rivven").toAbsolutePath().normalize();
        executable(root.resolve("rivven"), Files.readString(launcher));
        Path jdk = root.resolve("jdk");
        executable(root.resolve("bin/find-jdk"), "#!/bin/sh\necho '" + jdk + "'\n");
        executable(jdk.resolve("bin/java"), """
                #!/bin/sh
                for a in "$@"; do echo "arg $a"; done
                echo "LC_ALL=${LC_ALL:-}"
                if cat; then echo "stdin readable"; else echo "stdin closed"; fi
                """);
        Files.createDirectories(root.resolve("rivven-dist/target/rivven/lib"));
        Files.createDirectories(root.resolve("rivven-dist/target/rivven/plugins"));
    }

    private static void executable(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs {@code ./rivven produce} through {@code sh -c} with {@code redirects}; returns its stdout lines. */
    private List<String> run(String redirects) throws IOException, InterruptedException {
        return run(redirects, java.util.Map.of());
    }

    private List<String> run(String redirects, java.util.Map<String, String> env) throws IOException, InterruptedException {
        Path out = root.resolve("out.txt");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "exec \"$0\" produce --topic t " + redirects + " >'" + out + "' 2>'"
                + root.resolve("err.txt") + "'", root.resolve("rivven").toString());
        pb.environment().put("RIVVEN_NO_BUILD", "1");
        pb.environment().remove("LC_ALL");
        pb.environment().remove("LC_CTYPE");
        pb.environment().remove("LANG");
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        assertEquals(0, p.waitFor(), () -> read(root.resolve("err.txt")));
        return read(out).lines().toList();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void aClosedStandardInputReadsAsEmpty() throws Exception {
        // a closed fd 0 would be taken by the first file the JVM opens (the JDK's lib/modules), which
        // `rivven produce` would then append as records
        List<String> lines = run("0<&-");
        assertTrue(lines.contains("stdin readable"), lines.toString());
        assertTrue(lines.contains("arg produce"), lines.toString());
    }

    @Test
    void theJvmIsToldWhetherStderrIsATerminal() throws Exception {
        // stderr goes to a file here: progress bars must not be drawn into it
        List<String> lines = run("");
        assertTrue(lines.contains("arg -D" + io.rivven.cli.support.CliContext.STDERR_TERMINAL_PROPERTY + "=false"), lines.toString());
    }

    @Test
    void theCLocaleBecomesCUtf8SoArgumentsAreDecodedAsUtf8() throws Exception {
        // the JVM decodes the command line (and file names) with the locale's charset: under C / POSIX
        // (containers, cron) that is ASCII, and --key-separator '→' would never match the UTF-8 input
        assertTrue(run("", java.util.Map.of("LC_ALL", "C")).contains("LC_ALL=C.UTF-8"));
        assertTrue(run("", java.util.Map.of("LANG", "POSIX")).contains("LC_ALL=C.UTF-8"));
        assertTrue(run("", java.util.Map.of()).contains("LC_ALL=C.UTF-8"), "no locale at all is C");
        assertTrue(run("", java.util.Map.of("LANG", "de_DE.UTF-8")).contains("LC_ALL="), "a chosen locale stays");
        assertTrue(run("", java.util.Map.of("LC_ALL", "en_US.ISO-8859-1")).contains("LC_ALL=en_US.ISO-8859-1"));
    }
}
