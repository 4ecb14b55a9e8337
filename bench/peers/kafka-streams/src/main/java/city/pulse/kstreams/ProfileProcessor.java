package city.pulse.kstreams;

import city.pulse.kstreams.Events.Enriched;
import city.pulse.kstreams.Profile.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Stage 2, the aggregate-profiles job (jobs/aggregate-profiles/job.ts) as a Kafka Streams
 * processor: folds each enriched event into the user's state in the persistent store {@value
 * #PROFILES} (its dedup entries in {@value #DEDUP} and {@value #DEDUP_EXPIRY}, see {@link
 * Profile}) and publishes the user's ProfileUpdate, throttled per user exactly as the job does:
 *
 * <ul>
 *   <li>{@code version} = the input offset after the last event applied for the user;
 *   <li>an update goes out at once if the user's last one went out at least an interval ago (or
 *       never, in this task's life); otherwise the user is marked in the store {@value #PENDING};
 *   <li>a wall-clock punctuator, four times per interval, sends one update for each pending user
 *       whose interval has passed and clears the mark; duplicates change and send nothing.
 * </ul>
 *
 * The interval is the commit interval, as in the job.
 */
final class ProfileProcessor implements Processor<String, Enriched, String, byte[]> {
  static final String PROFILES = "profiles";
  static final String PENDING = "pending";
  static final String DEDUP = "dedup";
  static final String DEDUP_EXPIRY = "dedup-expiry";
  private static final byte[] NOTHING = {};
  static final byte[] TRUE = {1};

  private final long intervalMs;
  private ProcessorContext<String, byte[]> ctx;
  private KeyValueStore<String, State> profiles;
  private KeyValueStore<String, byte[]> pending;
  private KeyValueStore<String, Long> dedup;
  private KeyValueStore<String, byte[]> dedupExpiry;
  private final UserSeen seen = new UserSeen();
  /** Users whose last update went out less than an interval ago, with its wall-clock time. */
  private final Map<String, Long> lastSent = new HashMap<>();
  /** Mirror of the store {@value #PENDING}, in insertion order like the job's Set. */
  private final LinkedHashSet<String> pendingUsers = new LinkedHashSet<>();

  ProfileProcessor(long intervalMs) {
    this.intervalMs = intervalMs;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    ctx = context;
    profiles = context.getStateStore(PROFILES);
    pending = context.getStateStore(PENDING);
    dedup = context.getStateStore(DEDUP);
    dedupExpiry = context.getStateStore(DEDUP_EXPIRY);
    try (KeyValueIterator<String, byte[]> it = pending.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        pendingUsers.add(kv.key);
      }
    }
    context.schedule(
        Duration.ofMillis(Math.max(5, intervalMs / 4)), PunctuationType.WALL_CLOCK_TIME, this::flush);
  }

  private void flush(long timestamp) {
    long now = ctx.currentSystemTimeMs();
    lastSent.values().removeIf(at -> now - at >= intervalMs);
    for (Iterator<String> it = pendingUsers.iterator(); it.hasNext(); ) {
      String userId = it.next();
      if (lastSent.containsKey(userId)) continue; // its interval has not passed yet
      it.remove();
      pending.delete(userId);
      State state = profiles.get(userId);
      if (state == null) continue;
      send(userId, state, now, now);
    }
  }

  @Override
  public void process(Record<String, Enriched> record) {
    Enriched e = record.value();
    String userId = e.event().userId();
    State state = profiles.get(userId);
    if (state == null) state = new State();
    seen.user(userId);
    if (!Profile.apply(state, seen, e)) return;
    long offset =
        ctx.recordMetadata()
            .orElseThrow(() -> new IllegalStateException("a record without metadata"))
            .offset();
    state.version = offset + 1;
    profiles.put(userId, state);
    long now = ctx.currentSystemTimeMs();
    Long last = lastSent.get(userId);
    boolean isPending = pendingUsers.contains(userId);
    if ((last == null || now - last >= intervalMs) && !isPending) {
      send(userId, state, now, record.timestamp());
    } else if (!isPending) {
      pendingUsers.add(userId);
      pending.put(userId, TRUE);
    }
  }

  private void send(String userId, State state, long now, long timestamp) {
    lastSent.put(userId, now);
    ctx.forward(new Record<>(userId, ProfileJson.writeUpdate(userId, state, now), timestamp));
  }

  /**
   * One user's dedup entries: {@value #DEDUP} maps {@code prefix + eventId} to the timestamp (the
   * lookups), {@value #DEDUP_EXPIRY} holds {@code prefix + timestamp (16 digits) + eventId} in
   * timestamp order (the prune visits only what it deletes, plus one entry). The prefix is the
   * length-prefixed userId, so that one user's keys are exactly those with the prefix.
   */
  private final class UserSeen implements Profile.Seen {
    private final StringSerializer keys = new StringSerializer();
    private String prefix;

    void user(String userId) {
      prefix = userId.length() + ":" + userId;
    }

    private String byTime(long t, String eventId) {
      String digits = Long.toString(t);
      return prefix + "0".repeat(16 - digits.length()) + digits + eventId;
    }

    @Override
    public Long get(String eventId) {
      return dedup.get(prefix + eventId);
    }

    @Override
    public void put(String eventId, long t, Long previous) {
      if (previous != null) dedupExpiry.delete(byTime(previous, eventId));
      dedup.put(prefix + eventId, t);
      dedupExpiry.put(byTime(t, eventId), NOTHING);
    }

    @Override
    public Long prune(long horizon) {
      List<String> expired = new ArrayList<>();
      Long min = null;
      try (KeyValueIterator<String, byte[]> it = dedupExpiry.prefixScan(prefix, keys)) {
        while (it.hasNext()) {
          String key = it.next().key;
          long t = Long.parseLong(key, prefix.length(), prefix.length() + 16, 10);
          if (t >= horizon) {
            min = t;
            break;
          }
          expired.add(key);
        }
      }
      for (String key : expired) {
        dedupExpiry.delete(key);
        dedup.delete(prefix + key.substring(prefix.length() + 16));
      }
      return min;
    }
  }
}
