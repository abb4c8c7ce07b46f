package io.korvet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser: Debian's chromium, headless, driven through its chromedriver (both named
 * explicitly, so nothing is downloaded), on loopback only. After a known workload (100 records over 2 partitions,
 * consumed and committed by a group, then 10 more to partition 0), the front page lists the topic and the group's lag
 * of exactly 10, the topic page's message browser shows a record picked through the form, the group page shows the
 * lag per partition and the brokers page lists broker 0. Screenshots of the front and topic pages go to target/.
 */
class ConsoleIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String TOPIC = "console-orders";
    private static final String GROUP = "console-group";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static KorvetCluster cluster;
    private static ChromeDriverService service;
    private static WebDriver browser;
    private static Path profile;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "ConsoleIT needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                        + "): apt-get install chromium chromium-driver");
        cluster = KorvetCluster.start();
        produceTheWorkload();
        profile = Files.createTempDirectory("korvet-chromium-");
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,1000", "--user-data-dir=" + profile);
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (profile != null) {
            KorvetCluster.deleteRecursively(profile);
        }
    }

    /** Record i goes to partition i % 2 at offset i / 2, with key order-i, a JSON value and a header. */
    private static void produceTheWorkload() throws Exception {
        cluster.createTopic(TOPIC, 2);
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < 100; i++) {
                ProducerRecord<String, String> record = new ProducerRecord<>(TOPIC, i % 2, "order-" + i,
                        "{\"id\":" + i + ",\"item\":\"widget-" + i + "\"}");
                record.headers().add("source", "web".getBytes(StandardCharsets.UTF_8));
                producer.send(record).get();
            }
        }
        int consumed = 0;
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, GROUP))) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumed < 100 && System.nanoTime() < deadline) {
                consumed += consumer.poll(Duration.ofMillis(200)).count();
            }
            consumer.commitSync();
        }
        assertThat(consumed).isEqualTo(100);
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "late-" + i, "{\"late\":" + i + "}")).get();
            }
        }
    }

    private static String url(String hash) {
        return "http://127.0.0.1:" + cluster.broker().httpPort() + "/" + hash;
    }

    /** Waits for the page's data to have rendered (the console's body[data-loaded] marker). */
    private static void awaitLoaded() {
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "true"));
    }

    private static WebElement await(By by) {
        return new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private static void screenshot(String name) throws IOException {
        Path target = Path.of("target");
        Files.createDirectories(target);
        Files.write(target.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void theConsoleShowsTopicsGroupsRecordsAndBrokers() throws Exception {
        browser.get(url("#/"));
        awaitLoaded();
        WebElement topicRow = await(By.cssSelector("tr[data-topic='" + TOPIC + "']"));
        assertThat(topicRow.findElement(By.cssSelector("td.records")).getText()).isEqualTo("110");
        WebElement groupLag = await(By.cssSelector("tr[data-group='" + GROUP + "'] td.lag"));
        assertThat(groupLag.getText()).isEqualTo("10");
        assertThat(browser.findElements(By.cssSelector(".plot svg"))).hasSize(3);
        screenshot("console-front.png");

        // The topic page, reached by its link; then a record picked through the message browser's form.
        topicRow.findElement(By.linkText(TOPIC)).click();
        awaitLoaded();
        assertThat(await(By.cssSelector("tr[data-partition='0'] td.high-watermark")).getText()).isEqualTo("60");
        assertThat(await(By.cssSelector("tr[data-partition='1'] td.high-watermark")).getText()).isEqualTo("50");
        assertThat(await(By.cssSelector("tr[data-config='retention.ms']")).getText()).contains("retention.ms");
        // By default the browser shows partition 0's latest records: the 10 late ones among them.
        assertThat(await(By.cssSelector("#records tr[data-partition='0'][data-offset='59'] td.key")).getText())
                .isEqualTo("late-9");
        new Select(browser.findElement(By.id("browse-partition"))).selectByValue("1");
        WebElement offset = browser.findElement(By.id("browse-offset"));
        offset.clear();
        offset.sendKeys("18");
        browser.findElement(By.id("browse-show")).click();
        // Record 37 is partition 1's offset 18.
        WebElement row = await(By.cssSelector("#records tr[data-partition='1'][data-offset='18']"));
        assertThat(row.findElement(By.cssSelector("td.key")).getText()).isEqualTo("order-37");
        assertThat(row.findElement(By.cssSelector("td.value")).getText())
                .isEqualTo("{\n  \"id\": 37,\n  \"item\": \"widget-37\"\n}");
        assertThat(row.findElement(By.cssSelector("td.headers")).getText()).isEqualTo("source: web");
        assertThat(row.findElement(By.cssSelector("td.timestamp")).getText())
                .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
        assertThat(browser.findElements(By.cssSelector("#records tr[data-offset]"))).hasSize(20);
        assertThat(browser.getCurrentUrl()).endsWith("#/topics/" + TOPIC + "?partition=1&offset=18");
        screenshot("console-topic.png");

        // The group page: lag per partition.
        browser.get(url("#/"));
        awaitLoaded();
        await(By.cssSelector("tr[data-group='" + GROUP + "']")).findElement(By.linkText(GROUP)).click();
        awaitLoaded();
        String partition = "tr[data-topic='" + TOPIC + "'][data-partition='%d'] td.%s";
        assertThat(await(By.cssSelector(partition.formatted(0, "lag"))).getText()).isEqualTo("10");
        assertThat(await(By.cssSelector(partition.formatted(0, "high-watermark"))).getText()).isEqualTo("60");
        assertThat(await(By.cssSelector(partition.formatted(0, "committed"))).getText()).isEqualTo("50");
        assertThat(await(By.cssSelector(partition.formatted(1, "lag"))).getText()).isEqualTo("0");

        // The brokers page, from the navigation bar.
        browser.findElement(By.cssSelector("header nav a[href='#/brokers']")).click();
        awaitLoaded();
        WebElement broker = await(By.cssSelector("tr[data-broker='0']"));
        assertThat(broker.findElement(By.cssSelector("td.endpoints")).getText())
                .contains(":" + cluster.port());

        // An unknown topic: the API's 404 is shown in the page.
        browser.get(url("#/topics/no-such-topic"));
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "error"));
        assertThat(await(By.cssSelector(".error")).getText()).contains("404");
    }
}
