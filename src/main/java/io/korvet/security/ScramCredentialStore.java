package io.korvet.security;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/** The SCRAM credentials of every user, shared by every broker. */
public interface ScramCredentialStore {

    /** The credential of a user for a mechanism, or null when it has none. */
    CompletionStage<ScramCredential> get(ScramMechanism mechanism, String user);

    CompletionStage<Void> put(ScramMechanism mechanism, String user, ScramCredential credential);

    /** Returns whether there was a credential to delete. */
    CompletionStage<Boolean> delete(ScramMechanism mechanism, String user);

    /** Every user with the iteration count of each of its mechanisms. */
    CompletionStage<Map<String, Map<ScramMechanism, Integer>>> describe();
}
