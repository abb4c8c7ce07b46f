package io.korvet;

import io.korvet.config.ConfigException;
import io.korvet.config.ConfigKeys;
import io.korvet.config.ConfigLoader;
import io.korvet.config.KorvetConfig;
import io.korvet.topic.KafkaBrokerKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line: reads the configuration, starts the broker, and stops it cleanly on SIGTERM or Ctrl-C. */
@Command(name = "korvet", mixinStandardHelpOptions = true, version = "Korvet 0.1.0",
        description = "A Kafka-compatible broker that keeps its records in Redis Streams.",
        footer = {"",
                "Settings are Kafka-style keys (listeners, num.partitions, log.retention.hours,",
                "korvet.redis.uri...), read from --config FILE, then from KORVET_* environment",
                "variables (KORVET_REDIS_URI sets korvet.redis.uri), then from --override flags;",
                "later sources win. --describe-config lists every key with its default and",
                "meaning; README.md (Configuration) explains them; config/korvet.properties is",
                "an example file."})
public final class Korvet implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(Korvet.class);

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "A properties file with Kafka-style keys.")
    private Path configFile;

    @Option(names = {"-o", "--override"}, paramLabel = "KEY=VALUE",
            description = "A setting that wins over the file and the environment (repeatable).")
    private List<String> overrides = new ArrayList<>();

    @Option(names = "--describe-config", description = "Print every setting with its default and meaning, and exit.")
    private boolean describeConfig;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Korvet()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (describeConfig) {
            System.out.print(ConfigKeys.describe());
            return 0;
        }
        KorvetConfig config;
        try {
            config = ConfigLoader.load(configFile, System.getenv(), overrides, KafkaBrokerKeys.recognized());
            KafkaBrokerKeys.Review review = KafkaBrokerKeys.review(config);
            review.infoLines().forEach(log::info);
            review.warningLines().forEach(log::warn);
        } catch (ConfigException e) {
            log.error("Invalid configuration: {}", e.getMessage());
            return 2;
        }
        Broker broker = new Broker(config);
        try {
            broker.start();
        } catch (StartupException e) {
            log.error("Korvet could not start: {}", e.getMessage());
            return 1;
        } catch (Exception e) {
            log.error("Korvet could not start: {}", e.getMessage(), e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Shutting down");
            broker.close();
            stopped.countDown();
        }, "korvet-shutdown"));
        stopped.await();
        return 0;
    }
}
