package io.korvet.security;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclBinding;

/** The ACLs, shared by every broker; a change is announced to the others, which then reload. */
public interface AclStore {

    CompletionStage<Set<AclBinding>> all();

    CompletionStage<Void> add(Collection<AclBinding> bindings);

    CompletionStage<Void> remove(Collection<AclBinding> bindings);
}
