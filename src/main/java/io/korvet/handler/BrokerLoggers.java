package io.korvet.handler;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.slf4j.LoggerFactory;

/**
 * The BROKER_LOGGER config resource, as {@code kafka-configs.sh --entity-type broker-loggers --entity-name <id>}
 * uses it: each logger of this broker with its level, and its level changed at runtime (not kept across a
 * restart, as in Kafka), with Kafka's checks and messages. Kafka's root logger is {@code root}; FATAL, which
 * logback does not have, is ERROR.
 */
final class BrokerLoggers {

    private static final org.slf4j.Logger log = LoggerFactory.getLogger(BrokerLoggers.class);

    static final String ROOT = "root";
    private static final Set<String> LEVELS = Set.of("FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE");
    private static final String LEVELS_TEXT = String.join(", ", new java.util.TreeSet<>(LEVELS));

    private BrokerLoggers() {
    }

    /** Every logger with its effective level, or those named in {@code keys} (null: all). */
    static List<DescribeConfigsResourceResult> describe(String nodeId, String resourceName, Collection<String> keys) {
        if (resourceName == null || resourceName.isEmpty()) {
            throw new InvalidRequestException("Broker id must not be empty");
        }
        checkNode(nodeId, resourceName, "Unexpected broker id, expected " + nodeId + " but received " + resourceName);
        Map<String, String> levels = new TreeMap<>();
        LoggerContext context = context();
        for (Logger l : context.getLoggerList()) {
            levels.put(l.getName().equals(org.slf4j.Logger.ROOT_LOGGER_NAME) ? ROOT : l.getName(), l.getEffectiveLevel().toString());
        }
        List<DescribeConfigsResourceResult> out = new ArrayList<>();
        levels.forEach((name, level) -> {
            if (keys == null || keys.contains(name)) {
                out.add(new DescribeConfigsResourceResult().setName(name).setValue(level)
                        .setConfigSource(ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG.id()).setIsSensitive(false).setReadOnly(false)
                        .setSynonyms(List.of()).setDocumentation(null));
            }
        });
        return out;
    }

    /** Checks every change of the resource, then makes them unless {@code validateOnly}. */
    static void alter(String nodeId, String resourceName, Collection<AlterableConfig> changes, boolean validateOnly) {
        int requested;
        try {
            requested = Integer.parseInt(resourceName);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Node id must be an integer, but it is: " + resourceName);
        }
        checkNode(nodeId, Integer.toString(requested), "Unexpected node id. Expected " + nodeId + ", but received " + requested);
        for (AlterableConfig c : changes) {
            check(c);
        }
        if (validateOnly) {
            return;
        }
        for (AlterableConfig c : changes) {
            Logger logger = logger(c.name());
            if (OpType.forId(c.configOperation()) == OpType.SET) {
                String level = c.value().equals("FATAL") ? "ERROR" : c.value();
                logger.setLevel(Level.toLevel(level));
                log.warn("Updated the log level of {} to {}", c.name(), c.value());
            } else {
                logger.setLevel(null);
                log.warn("Unset the log level of {}", c.name());
            }
        }
    }

    private static void check(AlterableConfig c) {
        OpType op = OpType.forId(c.configOperation());
        String name = c.name();
        if (op == OpType.APPEND || op == OpType.SUBTRACT) {
            throw new InvalidRequestException(op + " operation is not allowed for the " + ConfigResource.Type.BROKER_LOGGER + " resource");
        }
        if (op != OpType.SET && op != OpType.DELETE) {
            throw new InvalidRequestException("Unknown operation type " + c.configOperation() + " is not allowed for the "
                    + ConfigResource.Type.BROKER_LOGGER + " resource");
        }
        if (!name.equals(ROOT) && context().exists(name) == null) {
            throw new InvalidConfigurationException("Logger " + name + " does not exist!");
        }
        if (op == OpType.SET && !LEVELS.contains(c.value())) {
            throw new InvalidConfigurationException("Cannot set the log level of " + name + " to " + c.value()
                    + " as it is not a supported log level. Valid log levels are " + LEVELS_TEXT);
        }
        if (op == OpType.DELETE && name.equals(ROOT)) {
            throw new InvalidRequestException("Removing the log level of the " + ROOT + " logger is not allowed");
        }
    }

    private static void checkNode(String nodeId, String requested, String message) {
        if (!requested.equals(nodeId)) {
            throw new InvalidRequestException(message);
        }
    }

    private static Logger logger(String name) {
        return context().getLogger(name.equals(ROOT) ? org.slf4j.Logger.ROOT_LOGGER_NAME : name);
    }

    private static LoggerContext context() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext c) {
            return c;
        }
        throw new InvalidRequestException("This broker's logging backend is not logback: its log levels cannot be described or changed");
    }
}
