package io.korvet.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class BrokerLoggersTest {

    private static final String LOGGER = "io.korvet.handler.BrokerLoggersTest.subject";

    private static AlterableConfig op(String name, OpType type, String value) {
        return new AlterableConfig().setName(name).setConfigOperation(type.id()).setValue(value);
    }

    @Test
    void aLevelIsSetAndUnsetAndDescribed() {
        LoggerFactory.getLogger(LOGGER);
        BrokerLoggers.alter("3", "3", List.of(op(LOGGER, OpType.SET, "TRACE")), false);
        assertThat(BrokerLoggers.describe("3", "3", List.of(LOGGER))).singleElement()
                .satisfies(r -> assertThat(r.value()).isEqualTo("TRACE"));
        BrokerLoggers.alter("3", "3", List.of(op(LOGGER, OpType.SET, "FATAL")), false);
        assertThat(BrokerLoggers.describe("3", "3", List.of(LOGGER)).get(0).value()).isEqualTo("ERROR");
        BrokerLoggers.alter("3", "3", List.of(op(LOGGER, OpType.DELETE, null)), true);
        assertThat(BrokerLoggers.describe("3", "3", List.of(LOGGER)).get(0).value()).as("validate only").isEqualTo("ERROR");
        BrokerLoggers.alter("3", "3", List.of(op(LOGGER, OpType.DELETE, null)), false);
        assertThat(BrokerLoggers.describe("3", "3", List.of(LOGGER)).get(0).value()).isNotEqualTo("ERROR");
        assertThat(BrokerLoggers.describe("3", "3", null)).extracting(r -> r.name()).contains("root", LOGGER);
    }

    @Test
    void whatKafkaRefusesIsRefusedWithItsMessages() {
        assertThatThrownBy(() -> BrokerLoggers.alter("3", "x", List.of(), false)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("Node id must be an integer, but it is: x");
        assertThatThrownBy(() -> BrokerLoggers.alter("3", "4", List.of(), false)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("Unexpected node id. Expected 3, but received 4");
        assertThatThrownBy(() -> BrokerLoggers.describe("3", "", null)).hasMessage("Broker id must not be empty");
        assertThatThrownBy(() -> BrokerLoggers.alter("3", "3", List.of(op("no.such.logger.anywhere", OpType.SET, "INFO")), false))
                .isInstanceOf(InvalidConfigurationException.class).hasMessage("Logger no.such.logger.anywhere does not exist!");
        assertThatThrownBy(() -> BrokerLoggers.alter("3", "3", List.of(op("root", OpType.DELETE, null)), false))
                .isInstanceOf(InvalidRequestException.class).hasMessage("Removing the log level of the root logger is not allowed");
        assertThatThrownBy(() -> BrokerLoggers.alter("3", "3", List.of(op("root", OpType.APPEND, "INFO")), false))
                .isInstanceOf(InvalidRequestException.class).hasMessage("APPEND operation is not allowed for the BROKER_LOGGER resource");
        assertThatThrownBy(() -> BrokerLoggers.alter("3", "3", List.of(op("root", OpType.SET, "ALL")), false))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("Cannot set the log level of root to ALL as it is not a supported log level. Valid log levels are "
                        + "DEBUG, ERROR, FATAL, INFO, TRACE, WARN");
    }
}
