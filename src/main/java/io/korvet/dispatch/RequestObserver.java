package io.korvet.dispatch;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/** Told of every request answered: its API, version, error (NONE when it succeeded) and time to answer. */
public interface RequestObserver {

    RequestObserver NONE = (api, version, error, nanos) -> { };

    void answered(ApiKeys api, short version, Errors error, long nanos);
}
