package city.pulse.kstreams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The app's configuration, read once from the command line ({@code --name value} or {@code
 * --name=value}) with the environment ({@code PULSE_KS_NAME}, upper case, dashes as underscores)
 * as fallback, and checked before anything starts. {@code --set key=value} (repeatable) passes any
 * further Kafka Streams, consumer or producer setting through.
 */
record Config(
    String bootstrapServers,
    String applicationId,
    String rawTopic,
    String catalogTopic,
    String enrichedTopic,
    String updatesTopic,
    String guarantee,
    int threads,
    long commitIntervalMs,
    String stateDir,
    long rocksDbCacheBytes,
    long rocksDbWriteBufferBytes,
    long cacheMaxBytes,
    Map<String, String> extra) {

  static final String USAGE =
      """
      usage: java -jar pulse-kstreams-ref.jar --bootstrap-servers HOST:PORT --application-id ID \\
               --raw-topic T --catalog-topic T --enriched-topic T --updates-topic T --state-dir DIR \\
               [--guarantee at_least_once|exactly_once_v2] [--threads N] [--commit-interval-ms MS] \\
               [--rocksdb-cache-mb MB] [--rocksdb-write-buffer-mb MB] [--cache-max-bytes B] \\
               [--set key=value ...]
      Every option may also come from the environment as PULSE_KS_<NAME> (e.g. PULSE_KS_THREADS).""";

  private static final List<String> NAMES =
      List.of(
          "bootstrap-servers", "application-id", "raw-topic", "catalog-topic", "enriched-topic",
          "updates-topic", "guarantee", "threads", "commit-interval-ms", "state-dir",
          "rocksdb-cache-mb", "rocksdb-write-buffer-mb", "cache-max-bytes");

  /** Parses and checks; throws IllegalArgumentException with a readable message. */
  static Config parse(String[] args, Map<String, String> env) {
    Map<String, String> opts = new HashMap<>();
    Map<String, String> extra = new LinkedHashMap<>();
    List<String> rest = new ArrayList<>(List.of(args));
    for (int i = 0; i < rest.size(); i++) {
      String a = rest.get(i);
      if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument " + a);
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else {
        if (i + 1 >= rest.size()) throw new IllegalArgumentException("--" + name + " needs a value");
        value = rest.get(++i);
      }
      if (name.equals("set")) {
        int kv = value.indexOf('=');
        if (kv <= 0) throw new IllegalArgumentException("--set wants key=value, got " + value);
        extra.put(value.substring(0, kv), value.substring(kv + 1));
      } else if (NAMES.contains(name)) {
        opts.put(name, value);
      } else {
        throw new IllegalArgumentException("unknown option --" + name);
      }
    }
    for (String n : NAMES) {
      String v = env.get("PULSE_KS_" + n.toUpperCase(Locale.ROOT).replace('-', '_'));
      if (v != null && !opts.containsKey(n)) opts.put(n, v);
    }
    String guarantee = opts.getOrDefault("guarantee", "at_least_once");
    if (guarantee.equals("exactly_once")) guarantee = StreamsConfig.EXACTLY_ONCE_V2;
    if (!guarantee.equals(StreamsConfig.AT_LEAST_ONCE)
        && !guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2)) {
      throw new IllegalArgumentException(
          "--guarantee must be at_least_once or exactly_once_v2, got " + guarantee);
    }
    return new Config(
        required(opts, "bootstrap-servers"),
        required(opts, "application-id"),
        required(opts, "raw-topic"),
        required(opts, "catalog-topic"),
        required(opts, "enriched-topic"),
        required(opts, "updates-topic"),
        guarantee,
        (int) number(opts, "threads", 1, 1, 64),
        number(opts, "commit-interval-ms", 100, 1, 600_000),
        required(opts, "state-dir"),
        number(opts, "rocksdb-cache-mb", 64, 1, 1 << 16) << 20,
        number(opts, "rocksdb-write-buffer-mb", 16, 1, 1 << 16) << 20,
        number(opts, "cache-max-bytes", 10L << 20, 0, Long.MAX_VALUE),
        extra);
  }

  private static String required(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null || v.isBlank()) throw new IllegalArgumentException("--" + name + " is required");
    return v;
  }

  private static long number(Map<String, String> opts, String name, long dflt, long min, long max) {
    String v = opts.get(name);
    if (v == null) return dflt;
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number, got " + v);
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException("--" + name + " must be in [" + min + ", " + max + "]");
    }
    return n;
  }

  /** The Kafka Streams configuration of this app. */
  Properties streamsProperties() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, cacheMaxBytes);
    p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class);
    p.put(BoundedRocksDb.CACHE_BYTES, rocksDbCacheBytes);
    p.put(BoundedRocksDb.WRITE_BUFFER_BYTES, rocksDbWriteBufferBytes);
    p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, SkipBadRecords.class);
    // The producer settings of our runtime (bench/compare compares like with like): lz4 batches,
    // 5 ms linger (Kafka Streams would otherwise linger 100 ms, which only adds latency here).
    p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // Leave the group on close (Kafka Streams does not by default, and close(leaveGroup) only
    // removes static members): a successor, such as the fresh instance of a restore measurement,
    // gets the partitions at once instead of after the session timeout (45 s).
    p.put(StreamsConfig.mainConsumerPrefix("internal.leave.group.on.close"), true);
    p.putAll(extra);
    return p;
  }
}
