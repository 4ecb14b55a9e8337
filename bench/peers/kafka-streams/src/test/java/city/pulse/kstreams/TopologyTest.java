package city.pulse.kstreams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The topology on Kafka Streams' broker-free test driver: the join with the catalogue, the
 * per-user throttling of updates (jobs/aggregate-profiles/job.ts), versions, duplicates and bad
 * records. Equality of the fold and the enrichment with the TypeScript code is checked against the
 * real broker by bench/compare/kafka-streams.int.test.ts.
 */
class TopologyTest {
  private static final long INTERVAL = 1000;
  private static final Instant T0 = Instant.parse("2026-10-01T00:00:00Z");
  private Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> catalog;
  private TestInputTopic<String, byte[]> raw;
  private TestOutputTopic<String, byte[]> enriched;
  private TestOutputTopic<String, byte[]> updates;

  @BeforeEach
  void start() throws IOException {
    stateDir = Files.createTempDirectory("kstreams-test");
    Config cfg =
        Config.parse(
            new String[] {
              "--bootstrap-servers", "unused:9092", "--application-id", "test",
              "--raw-topic", "raw", "--catalog-topic", "catalog", "--enriched-topic", "enriched",
              "--updates-topic", "updates", "--state-dir", stateDir.toString(),
              "--commit-interval-ms", Long.toString(INTERVAL)
            },
            Map.of());
    Properties props = cfg.streamsProperties();
    driver = new TopologyTestDriver(Main.topology(cfg), props, T0);
    StringSerializer keys = new StringSerializer();
    ByteArraySerializer values = new ByteArraySerializer();
    catalog = driver.createInputTopic("catalog", keys, values);
    raw = driver.createInputTopic("raw", keys, values, T0, Duration.ZERO);
    StringDeserializer keysOut = new StringDeserializer();
    ByteArrayDeserializer valuesOut = new ByteArrayDeserializer();
    enriched = driver.createOutputTopic("enriched", keysOut, valuesOut);
    updates = driver.createOutputTopic("updates", keysOut, valuesOut);
  }

  @AfterEach
  void stop() throws IOException {
    driver.close();
    try (var files = Files.walk(stateDir)) {
      files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String event(String id, String user, String type, long ts, String item) {
    return "{\"eventId\":\"" + id + "\",\"userId\":\"" + user + "\",\"eventType\":\"" + type
        + "\",\"timestamp\":" + ts + ",\"context\":{\"itemId\":\"" + item
        + "\",\"device\":\"iPhone 15\",\"geo\":\"DE\",\"category\":\"jazz\",\"city\":\"Berlin\"}}";
  }

  private static final String ITEM =
      "{\"id\":\"evt-1\",\"title\":\"t\",\"category\":\"theatre\",\"subcategory\":\"drama\","
          + "\"startsAt\":\"2026-10-02T19:00:00.000Z\",\"endsAt\":null,\"timezone\":\"Europe/Paris\","
          + "\"venue\":{\"name\":\"v\",\"address\":null,\"lat\":48.85,\"lon\":2.35},\"city\":\"Paris\","
          + "\"country\":\"FR\",\"price\":null,\"status\":\"scheduled\",\"url\":null,"
          + "\"sources\":[{\"source\":\"s\",\"sourceId\":\"1\"}]}";

  private static JsonNode json(byte[] value) throws IOException {
    return Check.MAPPER.readTree(value);
  }

  @Test
  void joinsTheCatalogueAndEnrichesUnknownItemsFromTheContext() throws IOException {
    catalog.pipeInput("evt-1", utf8(ITEM));
    raw.pipeInput("u1", utf8(event("e1", "u1", "VIEW", 1000, "evt-1")));
    raw.pipeInput("u2", utf8(event("e2", "u2", "VIEW", 1000, "ext-9")));
    List<KeyValue<String, byte[]>> out = enriched.readKeyValuesToList();
    assertEquals(2, out.size());
    JsonNode known = json(out.get(0).value).get("enrichment");
    assertEquals("u1", out.get(0).key);
    assertEquals("theatre", known.get("categories").get(0).asText());
    assertEquals("Paris", known.get("city").asText());
    assertEquals("EMEA", known.get("geoRegion").asText());
    assertEquals("MOBILE", known.get("deviceType").asText());
    assertEquals(48.85, known.get("lat").asDouble());
    assertTrue(known.get("itemKnown").asBoolean());
    JsonNode unknown = json(out.get(1).value).get("enrichment");
    assertEquals("music", unknown.get("categories").get(0).asText());
    assertEquals("jazz", unknown.get("subcategory").asText());
    assertEquals("Berlin", unknown.get("city").asText());
    assertEquals(false, unknown.get("itemKnown").asBoolean());
  }

  @Test
  void sendsAtOnceThenCoalescesAUsersUpdatesForAnInterval() throws IOException {
    raw.pipeInput("u1", utf8(event("e1", "u1", "VIEW", 1000, "ext-1")));
    List<byte[]> first = updates.readValuesToList();
    assertEquals(1, first.size(), "the first event of a user goes out at once");
    assertEquals(1, json(first.get(0)).get("version").asLong());

    raw.pipeInput("u1", utf8(event("e2", "u1", "LIKE", 2000, "ext-2")));
    raw.pipeInput("u1", utf8(event("e3", "u1", "SAVE", 3000, "ext-3")));
    assertTrue(updates.isEmpty(), "events within the interval wait");

    driver.advanceWallClockTime(Duration.ofMillis(INTERVAL + INTERVAL / 4));
    List<byte[]> later = updates.readValuesToList();
    assertEquals(1, later.size(), "one update for the interval's events");
    JsonNode u = json(later.get(0));
    assertEquals(3, u.get("version").asLong(), "the offset after the last event applied");
    assertEquals(3, u.get("profile").get("totalEvents").asLong());
    assertEquals("ext-3", u.get("profile").get("recentItems").get(0).asText());
  }

  @Test
  void aDuplicateChangesAndSendsNothing() throws IOException {
    raw.pipeInput("u1", utf8(event("e1", "u1", "VIEW", 1000, "ext-1")));
    updates.readValuesToList();
    driver.advanceWallClockTime(Duration.ofMillis(2 * INTERVAL));
    raw.pipeInput("u1", utf8(event("e1", "u1", "VIEW", 1000, "ext-1")));
    driver.advanceWallClockTime(Duration.ofMillis(2 * INTERVAL));
    assertTrue(updates.isEmpty());
    raw.pipeInput("u1", utf8(event("e2", "u1", "VIEW", 1500, "ext-1")));
    JsonNode u = json(updates.readValuesToList().get(0));
    assertEquals(2, u.get("profile").get("totalEvents").asLong());
    assertEquals(3, u.get("version").asLong(), "the duplicate took offset 1 of the enriched topic");
  }

  @Test
  void skipsBadRecordsAndGoesOn() throws IOException {
    raw.pipeInput("u1", utf8("not json"));
    raw.pipeInput("u1", utf8("{\"eventId\":\"x\"}"));
    raw.pipeInput("u1", (byte[]) null);
    raw.pipeInput("u1", utf8(event("e1", "u1", "VIEW", 1000, "ext-1")));
    assertEquals(1, enriched.readValuesToList().size());
    assertEquals(1, json(updates.readValuesToList().get(0)).get("version").asLong());
  }
}
