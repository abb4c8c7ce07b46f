package io.korvet.codec;

import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/** One decoded request: its header and its typed body. */
public record KafkaRequest(RequestHeader header, AbstractRequest body) {
}
