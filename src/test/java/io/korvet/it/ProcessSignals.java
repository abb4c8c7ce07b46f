package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

/** Sends a Unix signal to a process the test started: STOP and CONT play a stalled server. */
final class ProcessSignals {

    private ProcessSignals() {
    }

    static void send(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
}
