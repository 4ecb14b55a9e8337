package city.pulse.kstreams;

import city.pulse.kstreams.Events.Enriched;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The profile fold of jobs/aggregate-profiles/profile.ts ({@code applyEvent}, {@code toProfile})
 * with DEFAULT_PARAMS, ported statement for statement: the same doubles computed in the same order,
 * the same integer arithmetic, the same tie-breaks (strings compared by UTF-16 code units, as
 * JavaScript's {@code <} does). {@code Math.pow} is fdlibm's ({@link StrictMath}); V8's differs
 * from it in the last bit now and then, so decayed sums agree to ~1e-16 relative, not bit for bit.
 *
 * <p>The one change of layout: the dedup map {@code seen} (eventId → timestamp) is not part of
 * {@link State} but a {@link Seen} the caller provides, in Kafka Streams two stores of their own
 * (by user and eventId, and by user and timestamp for the prune). The map grows with the user's events of the last 7 days (tens of thousands
 * for the most active users of a skewed workload); inside the state value it would be parsed and
 * written again for every event, which no Kafka Streams application would do. The rule is the
 * same: the same entries are read and written at the same moments, and pruned at the same moments
 * too (a prune that would delete nothing is skipped). Which entries linger until a prune does not
 * change any result anyway: an entry older than the horizon never makes an event a duplicate.
 */
final class Profile {
  private Profile() {}

  static final long DAY_MS = 86_400_000L;
  static final long HALF_LIFE_MS = 7 * DAY_MS;
  static final long DEDUP_WINDOW_MS = 7 * DAY_MS;
  static final long PRUNE_EVERY_MS = 3_600_000L;
  static final int RECENT_ITEMS_MAX = 20;
  static final int ITEM_SET_MAX = 200;
  static final double ACTIVITY_SCALE = 20;

  /** An item's most recent event: timestamp t, eventId e (tie-break). */
  static final class Item {
    final String id;
    final long t;
    final String e;

    Item(String id, long t, String e) {
      this.id = id;
      this.t = t;
      this.e = e;
    }
  }

  static final class City {
    long n;
    long t;

    City(long n, long t) {
      this.n = n;
      this.t = t;
    }
  }

  /** ProfileState: one user's fold state. Maps keep JavaScript's insertion order. */
  static final class State {
    long version;
    boolean hasLastEventAt;
    long lastEventAt;
    /** interests in insertion order: category index per slot, and its value. */
    final byte[] interestCat = new byte[Taxonomy.CATEGORIES.size()];
    final double[] interestVal = new double[Taxonomy.CATEGORIES.size()];
    int interests;
    double activity;
    /** Indexed like {@link Taxonomy#EVENT_TYPES}. */
    final long[] eventCounts = new long[Taxonomy.EVENT_TYPES.size()];
    long totalEvents;
    final List<Item> recentItems = new ArrayList<>();
    final List<Item> dismissedItems = new ArrayList<>();
    final List<Item> purchasedItems = new ArrayList<>();
    final LinkedHashMap<String, City> cities = new LinkedHashMap<>();
    boolean hasSeenPrunedAt;
    long seenPrunedAt;
    /**
     * A lower bound of the timestamps in the user's {@link Seen} (absent: it is empty), so that a
     * prune that would delete nothing does not scan the store.
     */
    boolean hasSeenMin;
    long seenMin;

    int interestSlot(int category) {
      for (int i = 0; i < interests; i++) if (interestCat[i] == category) return i;
      return -1;
    }
  }

  /** One user's dedup map (ProfileState.seen): eventId → timestamp. */
  interface Seen {
    /** The timestamp stored for {@code eventId}, or null. */
    Long get(String eventId);

    /** Stores {@code t} for {@code eventId}, which had {@code previous} (null: no entry). */
    void put(String eventId, long t, Long previous);

    /**
     * Deletes every entry whose timestamp is below {@code horizon}; returns the smallest timestamp
     * left, or null if none is.
     */
    Long prune(long horizon);
  }

  private static double decay(long ageMs) {
    return StrictMath.pow(2, -(double) ageMs / (double) HALF_LIFE_MS);
  }

  /**
   * applyEvent: folds one event into {@code s}, in place. Returns false, leaving {@code s}
   * untouched, when the event is a duplicate.
   */
  static boolean apply(State s, Seen seen, Enriched en) {
    Events.UserEvent event = en.event();
    long t = event.timestamp();
    Long prev = seen.get(event.eventId());
    if (prev != null && s.hasLastEventAt && prev >= s.lastEventAt - DEDUP_WINDOW_MS) return false;

    long T = s.hasLastEventAt ? s.lastEventAt : t;
    if (t > T) {
      double f = decay(t - T);
      for (int i = 0; i < s.interests; i++) s.interestVal[i] *= f;
      s.activity *= f;
      T = t;
    }
    s.lastEventAt = T;
    s.hasLastEventAt = true;

    double age = decay(T - t);
    int type = Taxonomy.eventType(event.eventType());
    double w = Taxonomy.WEIGHTS[type] * age;
    List<String> cats = en.enrichment().categories();
    for (int i = 0; i < cats.size(); i++) {
      String c = cats.get(i);
      if (cats.indexOf(c) != i) continue;
      int cat = Taxonomy.category(c);
      int slot = s.interestSlot(cat);
      if (slot < 0) {
        slot = s.interests++;
        s.interestCat[slot] = (byte) cat;
        s.interestVal[slot] = 0 + w;
      } else {
        s.interestVal[slot] = s.interestVal[slot] + w;
      }
    }
    s.activity += age;
    s.eventCounts[type] += 1;
    s.totalEvents += 1;

    String itemId = event.context().itemId();
    if (itemId != null) {
      Item item = new Item(itemId, t, event.eventId());
      upsertRecent(s.recentItems, item, RECENT_ITEMS_MAX);
      if (event.eventType().equals("DISMISS")) upsertRecent(s.dismissedItems, item, ITEM_SET_MAX);
      if (event.eventType().equals("PURCHASE")) upsertRecent(s.purchasedItems, item, ITEM_SET_MAX);
    }

    String city = en.enrichment().city();
    if (city != null) {
      City c = s.cities.get(city);
      if (c != null) {
        c.n += 1;
        if (t > c.t) c.t = t;
      } else {
        s.cities.put(city, new City(1, t));
      }
    }

    long horizon = T - DEDUP_WINDOW_MS;
    if (t >= horizon) {
      seen.put(event.eventId(), t, prev);
      if (!s.hasSeenMin || t < s.seenMin) {
        s.seenMin = t;
        s.hasSeenMin = true;
      }
    }
    if (!s.hasSeenPrunedAt || T - s.seenPrunedAt >= PRUNE_EVERY_MS) {
      if (s.hasSeenMin && s.seenMin < horizon) {
        Long min = seen.prune(horizon);
        s.hasSeenMin = min != null;
        s.seenMin = min != null ? min : 0;
      }
      s.seenPrunedAt = T;
      s.hasSeenPrunedAt = true;
    }
    return true;
  }

  /** a comes before b: later timestamp, or same timestamp and smaller eventId. */
  private static boolean before(Item a, Item b) {
    return a.t > b.t || (a.t == b.t && a.e.compareTo(b.e) < 0);
  }

  private static void upsertRecent(List<Item> list, Item item, int max) {
    int at = -1;
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).id.equals(item.id)) {
        at = i;
        break;
      }
    }
    if (at >= 0) {
      if (!before(item, list.get(at))) return;
      list.remove(at);
    } else if (list.size() >= max && !before(item, list.get(list.size() - 1))) {
      return;
    }
    int i = 0;
    while (i < list.size() && before(list.get(i), item)) i++;
    list.add(i, item);
    while (list.size() > max) list.remove(list.size() - 1);
  }

  /** 1 - 2^(-activity / activityScale). */
  static double activityScore(State s) {
    return 1 - StrictMath.pow(2, -s.activity / ACTIVITY_SCALE);
  }

  /** Most events; ties: most recent event; then name. Null if no event had a city. */
  static String home(State s) {
    String best = null;
    long bn = 0;
    long bt = 0;
    for (var en : s.cities.entrySet()) {
      String city = en.getKey();
      long n = en.getValue().n;
      long t = en.getValue().t;
      if (best == null || n > bn || (n == bn && (t > bt || (t == bt && city.compareTo(best) < 0)))) {
        best = city;
        bn = n;
        bt = t;
      }
    }
    return best;
  }
}
