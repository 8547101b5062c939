package io.rivven.cli.command;

import io.rivven.cli.support.CliContext;
import io.rivven.cli.support.CliException;
import io.rivven.cli.support.ConfigOption;
import io.rivven.cli.support.ContextHolder;
import io.rivven.cli.support.Table;
import io.rivven.core.config.FlushMode;
import io.rivven.core.config.RivvenConfig;
import io.rivven.core.config.TopicConfig;
import io.rivven.core.log.PartitionLog;
import io.rivven.core.log.StorageEngine;
import io.rivven.core.log.UnknownTopicException;
import io.rivven.core.plugin.PluginSpec;
import io.rivven.core.plugin.Plugins;
import io.rivven.core.plugin.Spi;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code rivven topics create|list|describe|delete}: manages the topics of the config's data
 * directory. {@code --config} may be given before or after the subcommand.
 *
 * <ul>
 *   <li>{@code create T [--partitions N]}: N defaults to the config's partition count for T
 *       (its {@code topics} entry, else {@code defaults}); fails if T exists.</li>
 *   <li>{@code list}: topic names, one per line, sorted.</li>
 *   <li>{@code describe T}: per partition the log start offset, high watermark, recovery point,
 *       segment count and size; then the topic's effective settings (secrets masked).</li>
 *   <li>{@code delete T}: deletes the topic and its data; fails if T does not exist.</li>
 * </ul>
 */
@Command(name = "topics", sortOptions = false, description = "Create, list, describe and delete topics.",
        subcommands = {TopicsCommand.Create.class, TopicsCommand.ListTopics.class, TopicsCommand.Describe.class,
            TopicsCommand.Delete.class})
public final class TopicsCommand implements Callable<Integer> {

    @ParentCommand
    ContextHolder rivven;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: create, list, describe or delete");
    }

    /** What the subcommands share: the context, the config (theirs or the parent's --config), the engine. */
    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        TopicsCommand parent;

        @Mixin
        ConfigOption config;

        @Spec
        CommandSpec spec;

        CliContext ctx() {
            return parent.rivven.context();
        }

        RivvenConfig cfg() {
            Path file = config.file() != null ? config.file() : parent.config.file();
            return ctx().config(file);
        }

        @Override
        public Integer call() throws IOException {
            RivvenConfig cfg = cfg();
            Plugins plugins = ctx().plugins(cfg);
            try (StorageEngine engine = ctx().openEngine(cfg, plugins)) {
                run(ctx(), cfg, plugins, engine);
            }
            ctx().out().flush();
            return 0;
        }

        abstract void run(CliContext ctx, RivvenConfig cfg, Plugins plugins, StorageEngine engine) throws IOException;
    }

    @Command(name = "create", description = "Create a topic (partitions: --partitions, else the config's for it).")
    static final class Create extends Sub {
        @Parameters(index = "0", paramLabel = "T", description = "The topic name.")
        String topic;

        @Option(names = "--partitions", paramLabel = "N", description = "Partition count (default: the config's for T).")
        Integer partitions;

        @Override
        void run(CliContext ctx, RivvenConfig cfg, Plugins plugins, StorageEngine engine) throws IOException {
            int n = partitions != null ? partitions : cfg.topic(topic).partitions();
            if (n < 1 || n > TopicConfig.MAX_PARTITIONS) {
                throw new ParameterException(spec.commandLine(),
                        "--partitions must be between 1 and " + TopicConfig.MAX_PARTITIONS + ", got " + n);
            }
            if (engine.topic(topic).isPresent()) {
                int existing = engine.topic(topic).get().partitionCount();
                throw new CliException("topic '" + topic + "' already exists with " + existing + " partition"
                        + (existing == 1 ? "" : "s") + " (in " + engine.config().dataDir() + ")");
            }
            engine.createTopic(topic, n);
            ctx.out().println("created topic '" + topic + "' with " + n + " partition" + (n == 1 ? "" : "s"));
        }
    }

    @Command(name = "list", description = "List the topics, one per line.")
    static final class ListTopics extends Sub {
        @Override
        void run(CliContext ctx, RivvenConfig cfg, Plugins plugins, StorageEngine engine) {
            engine.topics().forEach(ctx.out()::println);
        }
    }

    @Command(name = "describe", description = "Show a topic's partitions (offsets, segments, size) and effective settings.")
    static final class Describe extends Sub {
        @Parameters(index = "0", paramLabel = "T", description = "The topic name.")
        String topic;

        @Override
        void run(CliContext ctx, RivvenConfig cfg, Plugins plugins, StorageEngine engine) {
            StorageEngine.Topic t = engine.topic(topic).orElseThrow(() -> unknown(engine, topic));
            PrintWriter out = ctx.out();
            out.println("topic " + t.name() + ": " + t.partitionCount() + " partition" + (t.partitionCount() == 1 ? "" : "s")
                    + " in " + engine.config().dataDir().resolve("topics").resolve(t.name()));
            Table table = new Table("PARTITION", "LOG START OFFSET", "HIGH WATERMARK", "RECOVERY POINT", "SEGMENTS", "BYTES");
            for (PartitionLog p : t.partitions()) {
                table.row(p.partition(), p.logStartOffset(), p.highWatermark(), p.recoveryPoint(), p.segmentCount(), p.sizeInBytes());
            }
            table.print(out);
            out.println();
            TopicConfig c = t.config();
            out.println("settings (" + cfg.source() + " → " + (cfg.topics().containsKey(topic) ? "topics." + topic : "defaults") + "):");
            Table s = new Table("KEY", "VALUE");
            s.row("compression", spec(c.compression(), Spi.CODEC, plugins));
            s.row("segment.bytes", c.segment().bytes());
            s.row("segment.ms", c.segment().ms());
            s.row("segment.indexIntervalBytes", c.segment().indexIntervalBytes());
            s.row("segment.indexMaxBytes", c.segment().indexMaxBytes());
            s.row("segment.preallocateBytes", c.segment().preallocateBytes()
                    + (c.flush().mode() == FlushMode.OS ? "" : " (used under flush.mode os only)"));
            String retention = c.cleanupPolicy().deletes() ? "" : " (not applied: cleanupPolicy compact)";
            s.row("retention.ms", c.retention().ms() + retention);
            s.row("retention.bytes", c.retention().bytes() + retention);
            s.row("cleanupPolicy", c.cleanupPolicy().jsonName());
            s.row("flush.mode", c.flush().mode().jsonName());
            s.row("flush.intervalMs", c.flush().intervalMs());
            s.row("flush.intervalBytes", c.flush().intervalBytes());
            List<String> indexes = c.indexes().stream().map(i -> spec(i, Spi.INDEX, plugins)).toList();
            s.row("indexes", indexes.isEmpty() ? "[] (built-in offset and time only)" : String.join(", ", indexes));
            s.print(out);
        }

        private static String spec(PluginSpec spec, Spi spi, Plugins plugins) {
            return spec.toString(plugins.registry(spi).find(spec.type()).isPresent()
                    ? plugins.secretKeys(spi, spec.type()) : spec.config().keys());
        }
    }

    @Command(name = "delete", description = "Delete a topic and all its data.")
    static final class Delete extends Sub {
        @Parameters(index = "0", paramLabel = "T", description = "The topic name.")
        String topic;

        @Override
        void run(CliContext ctx, RivvenConfig cfg, Plugins plugins, StorageEngine engine) throws IOException {
            if (!engine.deleteTopic(topic)) {
                throw unknown(engine, topic);
            }
            ctx.out().println("deleted topic '" + topic + "'");
        }
    }

    static UnknownTopicException unknown(StorageEngine engine, String topic) {
        List<String> topics = engine.topics();
        return new UnknownTopicException("no topic '" + topic + "' in " + engine.config().dataDir() + "; topics: "
                + (topics.isEmpty() ? "(none)" : String.join(", ", topics)));
    }
}
