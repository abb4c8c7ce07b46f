package io.korvet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path file(String content) throws IOException {
        Path f = dir.resolve("korvet.properties");
        Files.writeString(f, content);
        return f;
    }

    @Test
    void nothingGivenMeansDefaults() {
        KorvetConfig c = ConfigLoader.load(null, Map.of(), List.of());

        assertThat(c).isEqualTo(KorvetConfig.defaults());
        assertThat(c.listener()).isEqualTo(new Endpoint("localhost", 9092));
        assertThat(c.nodeId()).isZero();
    }

    @Test
    void fileThenEnvironmentThenOverridesLaterWins() throws IOException {
        Path f = file("""
                node.id=1
                num.partitions=2
                message.max.bytes=100
                korvet.namespace=fromfile
                """);
        Map<String, String> env = Map.of(
                "KORVET_NUM_PARTITIONS", "3",
                "KORVET_MESSAGE_MAX_BYTES", "200",
                "PATH", "/usr/bin",
                "HOME", "/root");

        KorvetConfig c = ConfigLoader.load(f, env, List.of("message.max.bytes=300", " korvet.namespace = flag "));

        assertThat(c.nodeId()).as("file only").isEqualTo(1);
        assertThat(c.numPartitions()).as("env over file").isEqualTo(3);
        assertThat(c.messageMaxBytes()).as("override over env").isEqualTo(300);
        assertThat(c.namespace()).as("override over file, trimmed").isEqualTo("flag");
        assertThat(c.socketRequestMaxBytes()).as("untouched default").isEqualTo(104857600);
    }

    @Test
    void fileValuesAreTrimmed() throws IOException {
        KorvetConfig c = ConfigLoader.load(file("num.partitions = 4   \nlisteners=PLAINTEXT://0.0.0.0:9999  \n"),
                Map.of(), List.of());

        assertThat(c.numPartitions()).isEqualTo(4);
        assertThat(c.listener()).isEqualTo(new Endpoint("0.0.0.0", 9999));
    }

    @Test
    void environmentNames() {
        assertThat(ConfigLoader.environmentName("listeners")).isEqualTo("KORVET_LISTENERS");
        assertThat(ConfigLoader.environmentName("auto.create.topics.enable")).isEqualTo("KORVET_AUTO_CREATE_TOPICS_ENABLE");
        assertThat(ConfigLoader.environmentName("korvet.redis.uri")).isEqualTo("KORVET_REDIS_URI");
        assertThat(ConfigLoader.environmentName("korvet.namespace")).isEqualTo("KORVET_NAMESPACE");
    }

    @Test
    void everyKnownKeyCanBeSetFromItsEnvironmentName() {
        KorvetConfig c = ConfigLoader.load(null, Map.of(
                "KORVET_REDIS_URI", "redis://example:6380",
                "KORVET_NODE_ID", "7",
                "KORVET_AUTO_CREATE_TOPICS_ENABLE", "false",
                "KORVET_LISTENERS", "PLAINTEXT://127.0.0.1:19092"), List.of());

        assertThat(c.redisUri()).isEqualTo("redis://example:6380");
        assertThat(c.embeddedRedis()).isFalse();
        assertThat(c.nodeId()).isEqualTo(7);
        assertThat(c.autoCreateTopics()).isFalse();
        assertThat(c.listener()).isEqualTo(new Endpoint("127.0.0.1", 19092));
    }

    @Test
    void doublePrefixedEnvironmentNameIsUnknown() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("KORVET_KORVET_REDIS_URI", "redis://x:1"), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("KORVET_KORVET_REDIS_URI");
    }

    @Test
    void unknownEnvironmentSettingIsNamed() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("KORVET_NUM_PARTITION", "3"), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("KORVET_NUM_PARTITION");
    }

    @Test
    void theKnownEnvironmentVariablesAreListedSorted() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("KORVET_NOPE", "3"), List.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> {
                    String list = e.getMessage().substring(e.getMessage().indexOf('[') + 1, e.getMessage().indexOf(']'));
                    List<String> names = List.of(list.split(", "));
                    assertThat(names).isSorted().contains("KORVET_EMBEDDED_REDIS_PORT", "KORVET_REDIS_URI", "KORVET_LISTENERS");
                });
    }

    @Test
    void theEmbeddedRedisPortIsAKeyOfItsOwn() {
        assertThat(ConfigLoader.load(null, Map.of("KORVET_EMBEDDED_REDIS_PORT", "6390"), List.of()).embeddedRedisPort()).isEqualTo(6390);
        assertThat(KorvetConfig.defaults().embeddedRedisPort()).isZero();
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), List.of("korvet.embedded.redis.port=70000")))
                .hasMessageContaining("korvet.embedded.redis.port");
    }

    @Test
    void anUnknownKorvetKeyInFileIsNamed() throws IOException {
        Path f = file("num.partitions=2\nkorvet.data.dri=x\n");

        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("korvet.data.dri");
    }

    @Test
    void otherKeysAreKeptAsKafkaKeepsThem() throws IOException {
        Path f = file("num.partitions=2\nnum.partitons=3\n");

        KorvetConfig c = ConfigLoader.load(f, Map.of(), List.of("log.dirs=/tmp"));
        assertThat(c.numPartitions()).isEqualTo(2);
        assertThat(c.settings()).containsEntry("num.partitons", "3").containsEntry("log.dirs", "/tmp");
    }

    @Test
    void overrideWithoutEqualsIsRejected() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), List.of("num.partitions")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("num.partitions");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), List.of("=3")))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void missingFileIsAConfigException() {
        Path missing = dir.resolve("nope.properties");

        assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nope.properties");
    }

    @Test
    void malformedValueFromEnvironmentNamesTheKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("KORVET_NODE_ID", "zero"), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("node.id");
    }
}
