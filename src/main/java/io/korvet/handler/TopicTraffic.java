package io.korvet.handler;

import org.apache.kafka.common.protocol.Errors;

/** Told of the records each topic takes in and hands out, and of failed partition produces (the metrics). */
public interface TopicTraffic {

    TopicTraffic NONE = new TopicTraffic() {
        @Override
        public void produced(String topic, long records, long bytes) {
        }

        @Override
        public void fetched(String topic, long records, long bytes) {
        }

        @Override
        public void produceFailed(Errors error) {
        }
    };

    void produced(String topic, long records, long bytes);

    void fetched(String topic, long records, long bytes);

    void produceFailed(Errors error);
}
