package city.pulse.kstreams;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Reports every restoration (task stores and the global store) on stdout: {@code restore-start}
 * and {@code restore-end} with records, duration and the bytes the restore consumers fetched from
 * the topic so far (their {@code bytes-consumed-total} metric; cumulative per topic; -1 if unknown).
 */
final class RestoreReporter implements StateRestoreListener {
  private final Supplier<Map<MetricName, ? extends Metric>> metrics;
  private final Map<TopicPartition, Long> startedAt = new ConcurrentHashMap<>();

  RestoreReporter(Supplier<Map<MetricName, ? extends Metric>> metrics) {
    this.metrics = metrics;
  }

  @Override
  public void onRestoreStart(TopicPartition tp, String store, long startOffset, long endOffset) {
    startedAt.put(tp, System.nanoTime());
    Status.emit(
        "restore-start",
        g -> {
          g.writeStringField("store", store);
          g.writeStringField("topic", tp.topic());
          g.writeNumberField("partition", tp.partition());
          g.writeNumberField("startOffset", startOffset);
          g.writeNumberField("endOffset", endOffset);
        });
  }

  @Override
  public void onBatchRestored(TopicPartition tp, String store, long batchEndOffset, long n) {}

  @Override
  public void onRestoreEnd(TopicPartition tp, String store, long totalRestored) {
    end("restore-end", tp, store, totalRestored);
  }

  @Override
  public void onRestoreSuspended(TopicPartition tp, String store, long totalRestored) {
    end("restore-suspended", tp, store, totalRestored);
  }

  private void end(String event, TopicPartition tp, String store, long records) {
    Long t0 = startedAt.remove(tp);
    double ms = t0 == null ? 0 : (System.nanoTime() - t0) / 1e6;
    double bytes = fetchedBytes(tp.topic());
    Status.emit(
        event,
        g -> {
          g.writeStringField("store", store);
          g.writeStringField("topic", tp.topic());
          g.writeNumberField("partition", tp.partition());
          g.writeNumberField("records", records);
          g.writeNumberField("ms", Math.round(ms));
          g.writeNumberField("bytes", Math.round(bytes));
        });
  }

  /**
   * bytes-consumed-total of the restore and global consumers for {@code topic}; -1 when no such
   * metric is found (the global store's bulk load does not show in its consumer's metrics).
   */
  private double fetchedBytes(String topic) {
    double sum = 0;
    boolean found = false;
    try {
      for (var en : metrics.get().entrySet()) {
        MetricName m = en.getKey();
        if (!m.name().equals("bytes-consumed-total")) continue;
        if (!m.group().equals("consumer-fetch-manager-metrics")) continue;
        String client = m.tags().getOrDefault("client-id", "");
        if (!client.endsWith("restore-consumer") && !client.endsWith("global-consumer")) continue;
        String t = m.tags().get("topic");
        if (t == null || !(t.equals(topic) || t.equals(topic.replace('.', '_')))) continue;
        if (en.getValue().metricValue() instanceof Number n) {
          sum += n.doubleValue();
          found = true;
        }
      }
    } catch (RuntimeException e) {
      return -1; // metrics not available (yet): report -1, not a wrong figure
    }
    return found ? sum : -1;
  }
}
