package io.korvet.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConnectionCloseHooksTest {

    @Test
    void aHookRunsOnceWhenTheConnectionCloses() {
        ConnectionCloseHooks hooks = new ConnectionCloseHooks();
        AtomicInteger runs = new AtomicInteger();
        hooks.onClose(runs::incrementAndGet);
        assertThat(runs).hasValue(0);
        hooks.close();
        hooks.close();
        assertThat(runs).hasValue(1);
        assertThat(hooks.closed()).isTrue();
    }

    @Test
    void aHookAddedAfterTheCloseRunsAtOnce() {
        ConnectionCloseHooks hooks = new ConnectionCloseHooks();
        hooks.close();
        AtomicInteger runs = new AtomicInteger();
        hooks.onClose(runs::incrementAndGet);
        assertThat(runs).hasValue(1);
    }

    @Test
    void aRemovedHookDoesNotRun() {
        ConnectionCloseHooks hooks = new ConnectionCloseHooks();
        AtomicInteger runs = new AtomicInteger();
        Runnable hook = runs::incrementAndGet;
        hooks.onClose(hook);
        hooks.remove(hook);
        hooks.close();
        assertThat(runs).hasValue(0);
    }
}
