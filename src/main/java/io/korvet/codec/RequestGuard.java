package io.korvet.codec;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.types.BoundField;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.Struct;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.utils.ImplicitLinkedHashMultiCollection;

/**
 * Refuses, before kafka-clients reads them, the requests it would take seconds to minutes to read.
 *
 * <p>kafka-clients reads some arrays of requests (Produce topics, CreateTopics topics, configs and assignments,
 * JoinGroup protocols, AlterConfigs resources...) into hash collections keyed by a field, with open addressing:
 * keys that hash alike (the same key repeated, or distinct strings with one {@code hashCode}) make reading them
 * cubic, and even distinct sequential keys make it quadratic. 4,000 copies of one topic name, a 60 KB
 * CreateTopics, take over half a minute of the event loop that reads them; 50,000 partition assignments, 15 s.
 *
 * <p>So, for the APIs that have such arrays, the request is read first with kafka-clients' generic schema reader
 * (linear: arrays of plain objects), and refused when one of those arrays has more than {@value #MAX_KEYED_ELEMENTS}
 * elements (Kafka's own limit on the records of one operation: no valid request needs more), or more than
 * {@value #MAX_ALIKE_KEYS} elements whose keys fall into the same slot of the table kafka-clients would build.
 * A refused request closes the connection, as other unreadable requests do.
 */
public final class RequestGuard {

    static final int MAX_KEYED_ELEMENTS = 10_000;
    static final int MAX_ALIKE_KEYS = 32;

    /** Per API, the schema names of the request fields kafka-clients reads into keyed hash collections. */
    private static final Map<ApiKeys, Set<String>> KEYED = keyedFields();

    private RequestGuard() {
    }

    /**
     * Why this request frame (without its size prefix) must not be read, or null when it may. A frame that cannot be
     * read at all is left to the request parser, which says why.
     */
    public static String refusal(ByteBuffer frame) {
        if (frame.remaining() < 4) {
            return null;
        }
        short apiKey = frame.getShort(frame.position());
        short version = frame.getShort(frame.position() + 2);
        if (!ApiKeys.hasId(apiKey)) {
            return null;
        }
        ApiKeys api = ApiKeys.forId(apiKey);
        Set<String> keyed = KEYED.get(api);
        if (keyed == null || !api.isVersionSupported(version)) {
            return null;
        }
        Struct body;
        try {
            ByteBuffer b = frame.duplicate();
            RequestHeader.parse(b);
            body = ApiMessageType.fromApiKey(apiKey).requestSchemas()[version].read(b);
        } catch (RuntimeException e) {
            return null; // malformed: the parser will say so
        }
        return check(api, version, body, keyed);
    }

    private static String check(ApiKeys api, short version, Struct struct, Set<String> keyed) {
        for (BoundField f : struct.schema().fields()) {
            Object value = struct.get(f);
            if (value instanceof Object[] elements) {
                if (keyed.contains(f.def.name) && elements.length > 1 && elements[0] instanceof Struct) {
                    String why = crowded(api, version, f.def.name, elements);
                    if (why != null) {
                        return why;
                    }
                }
                for (Object e : elements) {
                    if (e instanceof Struct s) {
                        String why = check(api, version, s, keyed);
                        if (why != null) {
                            return why;
                        }
                    }
                }
            } else if (value instanceof Struct s) {
                String why = check(api, version, s, keyed);
                if (why != null) {
                    return why;
                }
            }
        }
        return null;
    }

    /** Whether kafka-clients' table for these elements would be too large or too crowded. */
    private static String crowded(ApiKeys api, short version, String field, Object[] elements) {
        int n = elements.length;
        if (n > MAX_KEYED_ELEMENTS) {
            return api + " v" + version + " request with " + n + " elements in '" + field + "', more than "
                    + MAX_KEYED_ELEMENTS + " (the records one operation may have)";
        }
        // The table kafka-clients builds while reading n elements has 2n + 1 slots.
        int slots = 2 * n + 1;
        int[] perSlot = new int[slots];
        for (Object e : elements) {
            int slot = (keyHash((Struct) e) & 0x7fffffff) % slots;
            if (++perSlot[slot] > MAX_ALIKE_KEYS) {
                return api + " v" + version + " request with more than " + MAX_ALIKE_KEYS + " elements of '" + field
                        + "' whose keys hash alike (the same key repeated, or keys chosen to collide)";
            }
        }
        return null;
    }

    /**
     * The hash kafka-clients' element classes give their key: the first field's, or, when the first field is a
     * type byte (AlterConfigs resources), combined with the second's.
     */
    private static int keyHash(Struct element) {
        BoundField[] fields = element.schema().fields();
        if (fields.length == 0) {
            return 0;
        }
        Object first = element.get(fields[0]);
        if (first instanceof Byte type && fields.length > 1) {
            Object second = element.get(fields[1]);
            return 31 * type + (second == null ? 0 : second.hashCode());
        }
        return first == null ? 0 : first.hashCode();
    }

    /** Finds, in kafka-clients' generated request classes, the fields read into keyed multi-collections. */
    private static Map<ApiKeys, Set<String>> keyedFields() {
        Map<ApiKeys, Set<String>> out = new EnumMap<>(ApiKeys.class);
        for (ApiKeys api : ApiKeys.values()) {
            Set<String> names = new HashSet<>();
            try {
                collect(ApiMessageType.fromApiKey(api.id).newRequest().getClass(), names, new HashSet<>());
            } catch (RuntimeException e) {
                continue;
            }
            if (!names.isEmpty()) {
                out.put(api, Set.copyOf(names));
            }
        }
        return out;
    }

    private static void collect(Class<?> message, Set<String> names, Set<Class<?>> seen) {
        if (!seen.add(message)) {
            return;
        }
        for (Field f : message.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            Class<?> type = f.getType();
            Class<?> element = null;
            if (ImplicitLinkedHashMultiCollection.class.isAssignableFrom(type)) {
                names.add(snakeCase(f.getName()));
                element = typeArgument(type.getGenericSuperclass());
            } else if (List.class.isAssignableFrom(type)) {
                element = typeArgument(f.getGenericType());
            } else if (Message.class.isAssignableFrom(type)) {
                element = type;
            }
            if (element != null && Message.class.isAssignableFrom(element)) {
                collect(element, names, seen);
            }
        }
    }

    private static Class<?> typeArgument(Type type) {
        if (type instanceof ParameterizedType p && p.getActualTypeArguments().length == 1
                && p.getActualTypeArguments()[0] instanceof Class<?> c) {
            return c;
        }
        return null;
    }

    /** {@code topicData} to {@code topic_data}: kafka-clients' field names in schemas. */
    static String snakeCase(String camel) {
        StringBuilder s = new StringBuilder(camel.length() + 4);
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                s.append('_').append(Character.toLowerCase(c));
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }

    /** The fields guarded, per API (for tests and diagnostics). */
    static Map<ApiKeys, Set<String>> guardedFields() {
        return KEYED;
    }
}
