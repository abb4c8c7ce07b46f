package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.korvet.storage.redis.RedisServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS and SASL with Kafka's own configuration keys, driven by kafka-clients over real sockets: one broker with a
 * PLAINTEXT listener (to create the first SCRAM users), SASL_SSL with SCRAM-SHA-256/512 and PLAIN, SSL with client
 * certificates required, and SASL_PLAINTEXT with a PEM-configured... each listener's addresses in its Metadata.
 */
class SecurityIT {

    static final String ADMIN_SECRET = "admin-secret";
    private static Path dir;
    private static TestCertificates certs;
    private static KorvetCluster cluster;
    private static int plaintext;
    private static int saslSsl;
    private static int ssl;
    private static int saslPlaintext;
    private static int pemSsl;
    private static int jksSsl;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("korvet-tls-");
        certs = TestCertificates.create(dir);
        certs.signed("alice", "CN=alice,OU=Clients,O=Korvet", null);
        plaintext = RedisServerProcess.freePort();
        saslSsl = RedisServerProcess.freePort();
        ssl = RedisServerProcess.freePort();
        saslPlaintext = RedisServerProcess.freePort();
        pemSsl = RedisServerProcess.freePort();
        jksSsl = RedisServerProcess.freePort();
        Map<String, String> s = new HashMap<>();
        s.put("listeners", "PLAINTEXT://127.0.0.1:" + plaintext + ",SASL_SSL://127.0.0.1:" + saslSsl + ",SSL://127.0.0.1:" + ssl
                + ",CLIENTS://127.0.0.1:" + saslPlaintext + ",PEM://127.0.0.1:" + pemSsl + ",JKS://127.0.0.1:" + jksSsl);
        s.put("advertised.listeners", "SASL_SSL://localhost:" + saslSsl + ",SSL://localhost:" + ssl + ",PEM://localhost:" + pemSsl
                + ",JKS://localhost:" + jksSsl);
        s.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,CLIENTS:SASL_PLAINTEXT,PEM:SSL,JKS:SSL");
        s.put("ssl.keystore.type", "PKCS12");
        s.put("ssl.keystore.location", dir.resolve("server.p12").toString());
        s.put("ssl.keystore.password", TestCertificates.PASSWORD);
        s.put("ssl.truststore.type", "PKCS12");
        s.put("ssl.truststore.location", certs.truststore().toString());
        s.put("ssl.truststore.password", TestCertificates.PASSWORD);
        s.put("sasl.enabled.mechanisms", "SCRAM-SHA-256,SCRAM-SHA-512,PLAIN");
        s.put("listener.name.sasl_ssl.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"admin\" password=\"" + ADMIN_SECRET + "\" user_admin=\"" + ADMIN_SECRET + "\" user_carol=\"carol-secret\";");
        s.put("listener.name.clients.sasl.enabled.mechanisms", "PLAIN");
        s.put("listener.name.clients.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_dave=\"dave-secret\";");
        s.put("listener.name.ssl.ssl.client.auth", "required");
        s.put("listener.name.ssl.ssl.principal.mapping.rules", "RULE:^CN=([^,]*),OU=Clients.*$/$1/,DEFAULT");
        s.put("listener.name.pem.ssl.keystore.type", "PEM");
        s.put("listener.name.pem.ssl.keystore.certificate.chain", certs.chainPem("server").replace("\n", " "));
        s.put("listener.name.pem.ssl.keystore.key", certs.keyPem("server").replace("\n", " "));
        s.put("listener.name.pem.ssl.keystore.location", "");
        s.put("listener.name.pem.ssl.truststore.type", "PEM");
        s.put("listener.name.pem.ssl.truststore.certificates", certs.caPem());
        s.put("listener.name.pem.ssl.truststore.location", "");
        s.put("listener.name.pem.ssl.allow.dn.changes", "true");
        s.put("listener.name.jks.ssl.keystore.type", "JKS");
        s.put("listener.name.jks.ssl.keystore.location", certs.jks("server").toString());
        s.put("listener.name.jks.ssl.key.password", TestCertificates.PASSWORD);
        s.put("listener.name.jks.ssl.truststore.type", "JKS");
        s.put("listener.name.jks.ssl.truststore.location", dir.resolve("truststore.jks").toString());
        s.put("listener.name.jks.ssl.enabled.protocols", "TLSv1.3");
        // ACLs on, open where no ACL names a resource: the one ACL below tells principals apart.
        s.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        s.put("allow.everyone.if.no.acl.found", "true");
        cluster = KorvetCluster.start(s);
        try (Admin admin = plaintextAdmin()) {
            admin.alterUserScramCredentials(List.of(
                    new UserScramCredentialUpsertion("alice", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), "alice-secret"),
                    new UserScramCredentialUpsertion("alice", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "alice-secret")))
                    .all().get();
            admin.createTopics(List.of(new NewTopic("secured", 2, (short) 1), new NewTopic("alice-only", 1, (short) 1))).all().get();
            admin.createAcls(List.of(new org.apache.kafka.common.acl.AclBinding(
                    new org.apache.kafka.common.resource.ResourcePattern(org.apache.kafka.common.resource.ResourceType.TOPIC,
                            "alice-only", org.apache.kafka.common.resource.PatternType.LITERAL),
                    new org.apache.kafka.common.acl.AccessControlEntry("User:alice", "*",
                            org.apache.kafka.common.acl.AclOperation.ALL, org.apache.kafka.common.acl.AclPermissionType.ALLOW))))
                    .all().get();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    static Admin plaintextAdmin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + plaintext));
    }

    /** Trust in the test CA, as a client of a TLS listener needs. */
    static Map<String, Object> trusting() {
        Map<String, Object> c = new HashMap<>();
        c.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, certs.truststore().toString());
        c.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        c.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        return c;
    }

    static Map<String, Object> sasl(String protocol, String mechanism, String user, String password) {
        Map<String, Object> c = protocol.endsWith("SSL") ? trusting() : new HashMap<>();
        c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
        c.put(SaslConfigs.SASL_MECHANISM, mechanism);
        String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        c.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + user + "\" password=\"" + password + "\";");
        return c;
    }

    static Admin admin(int port, Map<String, Object> security) {
        Map<String, Object> c = new HashMap<>(security);
        c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + port);
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(c);
    }

    static List<String> roundTrip(int port, Map<String, Object> security, String topic, int count) throws Exception {
        Properties p = Clients.producer("localhost:" + port, StringSerializer.class);
        p.putAll(security);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
            }
        }
        Properties c = Clients.readingFromTheStart("localhost:" + port, StringDeserializer.class);
        c.putAll(security);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.assign(List.of(new org.apache.kafka.common.TopicPartition(topic, 0)));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }

    static Throwable failureOf(Admin admin) {
        try {
            admin.describeCluster().nodes().get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void scramSha256And512OverSaslSslProduceAndConsume() throws Exception {
        assertThat(roundTrip(saslSsl, sasl("SASL_SSL", "SCRAM-SHA-256", "alice", "alice-secret"), "scram256", 20)).hasSize(20);
        assertThat(roundTrip(saslSsl, sasl("SASL_SSL", "SCRAM-SHA-512", "alice", "alice-secret"), "scram512", 20)).hasSize(20);
    }

    @Test
    void plainUsersComeFromTheJaasLine() throws Exception {
        assertThat(roundTrip(saslSsl, sasl("SASL_SSL", "PLAIN", "carol", "carol-secret"), "plain-ssl", 5)).hasSize(5);
        assertThat(roundTrip(saslPlaintext, sasl("SASL_PLAINTEXT", "PLAIN", "dave", "dave-secret"), "plain-plaintext", 5)).hasSize(5);
    }

    @Test
    void theStartUpLineNamesEveryListenerAndTheTlsProvider() {
        String provider = io.korvet.network.TlsContexts.provider() == io.netty.handler.ssl.SslProvider.OPENSSL ? "OpenSSL" : "the JDK";
        System.out.println("[SecurityIT] TLS by " + provider);
        assertThat(provider).isEqualTo(System.getProperty("os.arch").equals("amd64") ? "OpenSSL" : provider);
    }

    @Test
    void eachListenerAdvertisesItsOwnAddresses() throws Exception {
        try (Admin admin = admin(saslSsl, sasl("SASL_SSL", "SCRAM-SHA-256", "alice", "alice-secret"))) {
            assertThat(admin.describeCluster().nodes().get()).extracting(Node::port).containsExactly(saslSsl);
        }
        try (Admin admin = plaintextAdmin()) {
            assertThat(admin.describeCluster().nodes().get()).extracting(Node::port).containsExactly(plaintext);
            assertThat(admin.describeCluster().nodes().get()).extracting(Node::host).containsExactly("127.0.0.1");
        }
    }

    @Test
    void wrongPasswordUnknownUserAndUnsupportedMechanismAreRefused() {
        try (Admin admin = admin(saslSsl, sasl("SASL_SSL", "SCRAM-SHA-256", "alice", "not-her-password"))) {
            assertThat(failureOf(admin)).isInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining("invalid credentials with SASL mechanism SCRAM-SHA-256");
        }
        try (Admin admin = admin(saslSsl, sasl("SASL_SSL", "SCRAM-SHA-512", "mallory", "whatever"))) {
            assertThat(failureOf(admin)).isInstanceOf(SaslAuthenticationException.class);
        }
        try (Admin admin = admin(saslSsl, sasl("SASL_SSL", "PLAIN", "carol", "wrong"))) {
            assertThat(failureOf(admin)).isInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining("Invalid username or password");
        }
        try (Admin admin = admin(saslPlaintext, sasl("SASL_PLAINTEXT", "SCRAM-SHA-256", "alice", "alice-secret"))) {
            assertThat(failureOf(admin)).isInstanceOf(org.apache.kafka.common.errors.UnsupportedSaslMechanismException.class);
        }
    }

    @Test
    void mutualTlsNeedsAClientCertificateTheCaSigned() throws Exception {
        Map<String, Object> withCert = trusting();
        withCert.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        withCert.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, dir.resolve("alice.p12").toString());
        withCert.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        withCert.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
        assertThat(roundTrip(ssl, withCert, "mtls", 5)).hasSize(5);
        // The certificate's DN, CN=alice,OU=Clients,O=Korvet, is User:alice by the listener's mapping rule.
        assertThat(roundTrip(ssl, withCert, "alice-only", 2)).hasSize(2);
        Properties carol = Clients.producer("localhost:" + saslSsl, StringSerializer.class);
        carol.putAll(sasl("SASL_SSL", "PLAIN", "carol", "carol-secret"));
        carol.put(org.apache.kafka.clients.producer.ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(carol)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("alice-only", "x")).get())
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.TopicAuthorizationException.class);
        }

        Map<String, Object> noCert = trusting();
        noCert.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        try (Admin admin = admin(ssl, noCert)) {
            assertThat(failureOf(admin)).isInstanceOf(SslAuthenticationException.class);
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCaOrSpeaksNoTlsGetsNowhere() throws Exception {
        Map<String, Object> untrusting = new HashMap<>();
        untrusting.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        try (Admin admin = admin(pemSsl, untrusting)) {
            assertThat(failureOf(admin)).isInstanceOf(SslAuthenticationException.class);
        }
        try (Admin admin = admin(pemSsl, Map.of(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 2000))) {
            assertThat(failureOf(admin)).isNotNull();
        }
        try (RawKafkaConnection raw = RawKafkaConnection.open(ssl)) {
            raw.sendFrame(new byte[] {0, 18, 0, 3, 0, 0, 0, 1, 0, 0});
            assertThat(raw.closedByBroker()).isTrue();
        }
    }

    @Test
    void pemKeystoresGivenInlineAndJksKeystoresServeTls() throws Exception {
        Map<String, Object> c = trusting();
        c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        assertThat(roundTrip(pemSsl, c, "pem", 3)).hasSize(3);
        assertThat(roundTrip(jksSsl, c, "jks", 3)).hasSize(3);
        // The JKS listener takes TLS 1.3 only: a TLS 1.2 client is refused.
        Map<String, Object> old = trusting();
        old.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        old.put(SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG, "TLSv1.2");
        old.put(SslConfigs.SSL_PROTOCOL_CONFIG, "TLSv1.2");
        try (Admin admin = admin(jksSsl, old)) {
            assertThat(failureOf(admin)).isInstanceOf(SslAuthenticationException.class);
        }
    }

    /**
     * Certificate rotation as Kafka does it: kafka-configs' AlterConfigs on this broker names a new keystore for a
     * listener (or the same file, replaced), and new connections get the new certificate at once; a keystore that
     * cannot be read is refused and the one in force stays; the cluster-wide default cannot hold a keystore.
     */
    @Test
    void aListenersKeystoreIsReplacedAtRuntimeWithAlterConfigs() throws Exception {
        java.security.cert.X509Certificate original = presentedCertificate(jksSsl);
        assertThat(original.getSubjectX500Principal().getName()).contains("OU=Brokers");
        certs.signed("renewed", "CN=localhost,OU=Brokers,O=Korvet", "SAN=dns:localhost,ip:127.0.0.1");
        Path renewed = certs.jks("renewed");
        certs.signed("rotated", "CN=localhost,OU=Rotated,O=Korvet", "SAN=dns:localhost,ip:127.0.0.1");
        certs.signed("narrowed", "CN=localhost,OU=Brokers,O=Korvet", "SAN=dns:localhost");
        String key = "listener.name.jks.ssl.keystore.location";
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "0");
        try (Admin admin = plaintextAdmin()) {
            // A renewed certificate (same names, new key): in force for new connections.
            setBrokerConfig(admin, broker, key, renewed.toString());
            assertThat(presentedCertificate(jksSsl).getSerialNumber()).isNotEqualTo(original.getSerialNumber());
            assertThat(presentedSubject(jksSsl)).contains("OU=Brokers");
            org.apache.kafka.clients.admin.ConfigEntry entry = admin.describeConfigs(List.of(broker)).all().get().get(broker).get(key);
            assertThat(entry.value()).isEqualTo(renewed.toString());
            assertThat(entry.source()).isEqualTo(org.apache.kafka.clients.admin.ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG);
            assertThat(entry.isReadOnly()).isFalse();

            // Another distinguished name, or fewer subject alternative names: refused as Kafka refuses them
            // (ssl.allow.dn.changes and ssl.allow.san.changes are false), the renewed certificate stays.
            java.math.BigInteger renewedSerial = presentedCertificate(jksSsl).getSerialNumber();
            assertThatThrownBy(() -> setBrokerConfig(admin, broker, key, certs.jks("rotated").toString()))
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.InvalidRequestException.class)
                    .hasMessageContaining("Keystore DistinguishedName does not match");
            assertThatThrownBy(() -> setBrokerConfig(admin, broker, key, certs.jks("narrowed").toString()))
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.InvalidRequestException.class)
                    .hasMessageContaining("Keystore SubjectAltNames do not match");
            assertThat(presentedCertificate(jksSsl).getSerialNumber()).isEqualTo(renewedSerial);

            // The same location again, the file replaced (here by the first keystore): read again.
            Files.copy(certs.file("server.jks"), renewed, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(renewed, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2_000));
            setBrokerConfig(admin, broker, key, renewed.toString());
            assertThat(presentedCertificate(jksSsl).getSerialNumber()).isEqualTo(original.getSerialNumber());

            assertThatThrownBy(() -> setBrokerConfig(admin, broker, key, dir.resolve("missing.jks").toString()))
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.InvalidRequestException.class)
                    .hasMessageContaining("missing.jks");
            assertThatThrownBy(() -> setBrokerConfig(admin, new ConfigResource(ConfigResource.Type.BROKER, ""), key, renewed.toString()))
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.InvalidRequestException.class)
                    .hasMessageContaining("broker id must be specified");

            // The PEM listener allows other names (listener.name.pem.ssl.allow.dn.changes=true): its inline key and
            // chain replaced by the rotated ones.
            admin.incrementalAlterConfigs(Map.of(broker, List.of(
                    new org.apache.kafka.clients.admin.AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry(
                            "listener.name.pem.ssl.keystore.certificate.chain", certs.chainPem("rotated")),
                            org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET),
                    new org.apache.kafka.clients.admin.AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry(
                            "listener.name.pem.ssl.keystore.key", certs.keyPem("rotated")),
                            org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
            assertThat(presentedSubject(pemSsl)).contains("OU=Rotated");
        }
        assertThat(presentedSubject(jksSsl)).contains("OU=Brokers");

        // The dynamic keystores are kept in Redis: a restarted broker presents them again, not its static ones.
        cluster.stopBroker();
        cluster.startBroker();
        assertThat(presentedSubject(pemSsl)).contains("OU=Rotated");
        assertThat(presentedCertificate(jksSsl).getSerialNumber()).isEqualTo(original.getSerialNumber());
        Map<String, Object> c = trusting();
        c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        assertThat(roundTrip(jksSsl, c, "jks-rotated", 2)).hasSize(2);
        assertThat(roundTrip(pemSsl, c, "pem-rotated", 2)).hasSize(2);
    }

    private static void setBrokerConfig(Admin admin, ConfigResource broker, String key, String value) throws Exception {
        admin.incrementalAlterConfigs(Map.of(broker, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                new org.apache.kafka.clients.admin.ConfigEntry(key, value), org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET))))
                .all().get();
    }

    /** The subject of the certificate a TLS listener presents to a new connection. */
    private static String presentedSubject(int port) throws Exception {
        return presentedCertificate(port).getSubjectX500Principal().getName();
    }

    /** The certificate a TLS listener presents to a new connection. */
    private static java.security.cert.X509Certificate presentedCertificate(int port) throws Exception {
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(certs.truststore())) {
            trust.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        tmf.init(trust);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return (java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void adminManagesScramUsersAndDescribesNoSecret() throws Exception {
        try (Admin admin = plaintextAdmin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("erin",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "erin-secret"))).all().get();
            Map<String, UserScramCredentialsDescription> described = admin.describeUserScramCredentials(List.of("erin")).all().get();
            assertThat(described.get("erin").credentialInfos()).extracting(ScramCredentialInfo::mechanism, ScramCredentialInfo::iterations)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(ScramMechanism.SCRAM_SHA_512, 4096));
            try (Admin erin = admin(saslSsl, sasl("SASL_SSL", "SCRAM-SHA-512", "erin", "erin-secret"))) {
                assertThat(failureOf(erin)).isNull();
            }
            admin.alterUserScramCredentials(List.of(new org.apache.kafka.clients.admin.UserScramCredentialDeletion("erin",
                    ScramMechanism.SCRAM_SHA_512))).all().get();
            try (Admin erin = admin(saslSsl, sasl("SASL_SSL", "SCRAM-SHA-512", "erin", "erin-secret"))) {
                assertThat(failureOf(erin)).isInstanceOf(SaslAuthenticationException.class);
            }
            assertThatThrownBy(() -> admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("erin",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 1000), "x"))).all().get())
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.UnacceptableCredentialException.class);
            assertThatThrownBy(() -> admin.describeUserScramCredentials(List.of("nobody")).description("nobody").get())
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.ResourceNotFoundException.class);
        }
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(cluster.redis().uri());
        try (var connection = client.connect()) {
            String stored = connection.sync().hgetall(cluster.namespace() + ":scram").toString();
            assertThat(stored).contains("SCRAM-SHA-256:alice").doesNotContain("alice-secret");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void kcatProducesAndConsumesOverSaslSslWithPlainAndOverMutualTls() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(KcatIT.kcatInstalled(), "kcat is not installed (.ci/run installs it)");
        Path ca = dir.resolve("ca.pem");
        String[] plain = {"-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=PLAIN", "-X", "sasl.username=carol",
                "-X", "sasl.password=carol-secret", "-X", "ssl.ca.location=" + ca};
        KcatIT.run("a:1\nb:2\n", concat(plain, "-b", "localhost:" + saslSsl, "-P", "-t", "kcat-sasl", "-K:"));
        assertThat(KcatIT.run("", concat(plain, "-b", "localhost:" + saslSsl, "-C", "-t", "kcat-sasl", "-e", "-f", "%k=%s\n")))
                .contains("a=1").contains("b=2");
        Path cert = dir.resolve("alice-chain.pem");
        Path key = dir.resolve("alice-key.pem");
        Files.writeString(cert, certs.chainPem("alice"));
        Files.writeString(key, certs.keyPem("alice"));
        String[] mtls = {"-X", "security.protocol=SSL", "-X", "ssl.ca.location=" + ca, "-X", "ssl.certificate.location=" + cert,
                "-X", "ssl.key.location=" + key};
        KcatIT.run("c:3\n", concat(mtls, "-b", "localhost:" + ssl, "-P", "-t", "kcat-mtls", "-K:"));
        assertThat(KcatIT.run("", concat(mtls, "-b", "localhost:" + ssl, "-C", "-t", "kcat-mtls", "-e", "-f", "%k=%s\n")))
                .contains("c=3");
        assertThat(KcatIT.run("", concat(mtls, "-b", "localhost:" + ssl, "-L"))).contains("localhost:" + ssl);
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
