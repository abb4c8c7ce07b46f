package io.korvet.dispatch;

import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * The handler of one Kafka API. Its version range is declared here once: it feeds ApiVersions and the
 * dispatcher's version check. A handler completes with the response data, or with null when none is due
 * (a Produce with acks=0); it may fail with any exception, which {@link ErrorMapper} turns into a code.
 */
public interface ApiHandler<R extends AbstractRequest> {

    ApiKeys apiKey();

    short minVersion();

    short maxVersion();

    CompletionStage<ApiMessage> handle(RequestContext context, R request);
}
