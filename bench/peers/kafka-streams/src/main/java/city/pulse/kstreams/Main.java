package city.pulse.kstreams;

import city.pulse.kstreams.Events.Enriched;
import city.pulse.kstreams.Events.UserEvent;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The Kafka Streams reference app of {@code pulse bench compare}: the topology of our
 * enrich-user-events and aggregate-profiles jobs as one Kafka Streams application.
 *
 * <pre>
 *   catalogue topic ──► GlobalKTable "catalog" (in memory, like the runtime's global table)
 *                             │ leftJoin on context.itemId
 *   raw-user-events ──► validate ──► enrich ──► key by userId ──► enriched-events
 *   enriched-events ──► validate ──► aggregate-profiles ──► user-profile-updates
 *                              stores: profiles, dedup, dedup-expiry, pending
 * </pre>
 *
 * Stores are persistent RocksDB key-value stores with changelogs and record caches; RocksDB memory
 * is bounded by {@link BoundedRocksDb}. Bad records are skipped by {@link SkipBadRecords}. The
 * process reports on stdout as JSON lines ({@link Status}); SIGTERM closes it cleanly.
 */
public final class Main {
  private Main() {}

  static final String CATALOG = "catalog";

  public static void main(String[] args) throws InterruptedException {
    Config cfg;
    try {
      cfg = Config.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("pulse-kstreams-ref: " + e.getMessage());
      System.err.println(Config.USAGE);
      System.exit(2);
      return;
    }
    run(cfg);
  }

  /** The topology: stage 1 (enrich) and stage 2 (aggregate), joined by the enriched topic. */
  static Topology topology(Config cfg) {
    StreamsBuilder b = new StreamsBuilder();
    GlobalKTable<String, Catalog.Item> catalog =
        b.globalTable(
            cfg.catalogTopic(),
            Consumed.with(Serdes.String(), Catalog.sourceSerde()).withName("catalog-source"),
            Materialized.<String, Catalog.Item>as(Stores.inMemoryKeyValueStore(CATALOG))
                .withKeySerde(Serdes.String())
                .withValueSerde(Catalog.storeSerde()));

    Serde<Enriched> enriched = enrichedSerde();
    b.stream(cfg.rawTopic(), Consumed.with(Serdes.String(), userEventSerde()).withName("raw-user-events"))
        .leftJoin(catalog, (key, e) -> e.context().itemId(), Enrich::enrich, Named.as("enrich"))
        .selectKey((key, e) -> e.event().userId(), Named.as("key-by-user"))
        .to(cfg.enrichedTopic(), Produced.with(Serdes.String(), enriched).withName("enriched-sink"));

    b.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ProfileProcessor.PROFILES),
                Serdes.String(),
                ProfileJson.stateSerde())
            .withCachingEnabled());
    b.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ProfileProcessor.PENDING),
                Serdes.String(),
                Serdes.ByteArray())
            .withCachingEnabled());
    // No record cache for the dedup entries: every key is a new eventId, so a cache would coalesce
    // nothing and only push the profiles out of it.
    b.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(ProfileProcessor.DEDUP), Serdes.String(), Serdes.Long()));
    b.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(ProfileProcessor.DEDUP_EXPIRY),
            Serdes.String(),
            Serdes.ByteArray()));
    long interval = cfg.commitIntervalMs();
    b.stream(cfg.enrichedTopic(), Consumed.with(Serdes.String(), enriched).withName("enriched-source"))
        .process(
            () -> new ProfileProcessor(interval),
            Named.as("aggregate-profiles"),
            ProfileProcessor.PROFILES,
            ProfileProcessor.PENDING,
            ProfileProcessor.DEDUP,
            ProfileProcessor.DEDUP_EXPIRY)
        .to(
            cfg.updatesTopic(),
            Produced.with(Serdes.String(), Serdes.ByteArray()).withName("updates-sink"));
    return b.build();
  }

  static Serde<UserEvent> userEventSerde() {
    Serializer<UserEvent> ser =
        (topic, e) -> {
          throw new UnsupportedOperationException("raw user events are only read");
        };
    Deserializer<UserEvent> de =
        (topic, data) -> {
          try {
            return Events.parseUserEvent(data);
          } catch (BadRecord e) {
            throw new SerializationException(e.code + ": " + e.getMessage(), e);
          }
        };
    return Serdes.serdeFrom(ser, de);
  }

  static Serde<Enriched> enrichedSerde() {
    Serializer<Enriched> ser = (topic, e) -> e == null ? null : Events.write(e);
    Deserializer<Enriched> de =
        (topic, data) -> {
          try {
            return Events.parseEnriched(data);
          } catch (BadRecord e) {
            throw new SerializationException(e.code + ": " + e.getMessage(), e);
          }
        };
    return Serdes.serdeFrom(ser, de);
  }

  private static void run(Config cfg) throws InterruptedException {
    Topology topology = topology(cfg);
    KafkaStreams streams = new KafkaStreams(topology, cfg.streamsProperties());
    AtomicBoolean stopping = new AtomicBoolean();
    CountDownLatch ended = new CountDownLatch(1);
    Status.emit(
        "starting",
        g -> {
          g.writeNumberField("pid", ProcessHandle.current().pid());
          g.writeStringField("applicationId", cfg.applicationId());
          g.writeNumberField("threads", cfg.threads());
          g.writeStringField("guarantee", cfg.guarantee());
          g.writeNumberField("commitIntervalMs", cfg.commitIntervalMs());
        });
    streams.setStateListener(
        (now, before) -> {
          Status.emit(
              "state",
              g -> {
                g.writeStringField("state", now.name());
                g.writeStringField("previous", before.name());
              });
          if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
            ended.countDown();
          }
        });
    streams.setGlobalStateRestoreListener(new RestoreReporter(streams::metrics));
    streams.setUncaughtExceptionHandler(
        e -> {
          Status.emit("error", g -> g.writeStringField("message", String.valueOf(e)));
          e.printStackTrace();
          return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    ScheduledExecutorService reporter =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "skip-reporter");
              t.setDaemon(true);
              return t;
            });
    reporter.scheduleAtFixedRate(() -> Status.reportSkipped(false), 2, 2, TimeUnit.SECONDS);

    Thread hook =
        new Thread(
            () -> {
              stopping.set(true);
              streams.close(Duration.ofSeconds(60));
              Status.reportSkipped(true);
              Status.emit("stopped");
            },
            "shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    streams.start();
    ended.await();
    if (!stopping.get()) {
      // The streams client died on its own (an uncaught error): close it and fail the process.
      streams.close(Duration.ofSeconds(30));
      Status.reportSkipped(true);
      System.exit(1);
    }
  }
}
