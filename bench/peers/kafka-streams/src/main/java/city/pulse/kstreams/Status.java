package city.pulse.kstreams;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The app's report to whoever launched it: one JSON object per line on stdout (logs go to
 * stderr). Every line has {@code event} and {@code time} (epoch ms); the events are
 *
 * <ul>
 *   <li>{@code starting} (pid, applicationId, threads, guarantee), {@code state} (state,
 *       previous: the KafkaStreams state machine), {@code stopped}, {@code error} (message);
 *   <li>{@code restore-start} / {@code restore-end} (store, topic, partition, offsets, records,
 *       ms, and bytes: what the restore consumers fetched from that topic so far);
 *   <li>{@code skipped} (code, topic, partition, offset, message) for the first {@value
 *       #DETAILED_SKIPS} bad records, and {@code skipped-total} (counts by code) whenever the
 *       counts changed, at most every few seconds, and at the end.
 * </ul>
 */
final class Status {
  private Status() {}

  static final int DETAILED_SKIPS = 100;
  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);
  private static final Map<String, LongAdder> SKIPPED = new ConcurrentHashMap<>();
  private static final AtomicLong SKIPS = new AtomicLong();
  private static long reportedSkips;

  /** A writer of one line's fields after {@code event} and {@code time}. */
  interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  static void emit(String event, Fields fields) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
    try (JsonGenerator g = Check.FACTORY.createGenerator(buf)) {
      g.writeStartObject();
      g.writeStringField("event", event);
      g.writeNumberField("time", System.currentTimeMillis());
      if (fields != null) fields.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    synchronized (OUT) {
      OUT.println(buf.toString(StandardCharsets.UTF_8));
    }
  }

  static void emit(String event) {
    emit(event, null);
  }

  static void skipped(String code, String topic, int partition, long offset, String message) {
    SKIPPED.computeIfAbsent(code, k -> new LongAdder()).increment();
    if (SKIPS.incrementAndGet() <= DETAILED_SKIPS) {
      emit(
          "skipped",
          g -> {
            g.writeStringField("code", code);
            g.writeStringField("topic", topic);
            g.writeNumberField("partition", partition);
            g.writeNumberField("offset", offset);
            g.writeStringField("message", message.length() > 500 ? message.substring(0, 500) : message);
          });
    }
  }

  /** Emits {@code skipped-total} if anything was skipped since the last time (or {@code force}). */
  static synchronized void reportSkipped(boolean force) {
    long n = SKIPS.get();
    if (n == reportedSkips && !force) return;
    reportedSkips = n;
    Map<String, Long> counts = new TreeMap<>();
    SKIPPED.forEach((code, c) -> counts.put(code, c.sum()));
    emit(
        "skipped-total",
        g -> {
          g.writeObjectFieldStart("counts");
          for (var en : counts.entrySet()) g.writeNumberField(en.getKey(), en.getValue());
          g.writeEndObject();
        });
  }
}
