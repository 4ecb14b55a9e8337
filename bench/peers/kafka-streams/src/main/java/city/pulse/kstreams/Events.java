package city.pulse.kstreams;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * UserEvent and EnrichedEvent (model/user-event.ts, model/enriched-event.ts): validated like their
 * zod schemas and written as JSON.stringify writes the parsed value (keys in schema order, absent
 * optional keys absent).
 */
final class Events {
  private Events() {}

  /** EventContext: every field optional; lat/lon absent when null. */
  record Context(
      String page,
      String itemId,
      String category,
      String device,
      String geo,
      Double lat,
      Double lon,
      String city) {
    static final Context EMPTY = new Context(null, null, null, null, null, null, null, null);
  }

  record UserEvent(String eventId, String userId, String eventType, long timestamp, Context context) {}

  /** What enrich-user-events adds. lat/lon null for JSON null. */
  record Enrichment(
      List<String> categories,
      String subcategory,
      String deviceType,
      String geoRegion,
      String city,
      Double lat,
      Double lon,
      boolean itemKnown) {}

  record Enriched(UserEvent event, Enrichment enrichment) {}

  private static final Set<String> USER_EVENT_KEYS =
      Set.of("eventId", "userId", "eventType", "timestamp", "context");
  private static final Set<String> ENRICHED_KEYS =
      Set.of("eventId", "userId", "eventType", "timestamp", "context", "enrichment");
  private static final Set<String> CONTEXT_KEYS =
      Set.of("page", "itemId", "category", "device", "geo", "lat", "lon", "city");
  private static final Set<String> ENRICHMENT_KEYS =
      Set.of(
          "categories", "subcategory", "deviceType", "geoRegion", "city", "lat", "lon",
          "itemKnown");

  /** UserEvent.safeParse(JSON.parse(value)). */
  static UserEvent parseUserEvent(byte[] value) throws BadRecord {
    JsonNode n = Check.object(Check.parse(value), "(value)");
    Check.strict(n, USER_EVENT_KEYS, "");
    return userEvent(n);
  }

  /** EnrichedEvent.safeParse(JSON.parse(value)). */
  static Enriched parseEnriched(byte[] value) throws BadRecord {
    JsonNode n = Check.object(Check.parse(value), "(value)");
    Check.strict(n, ENRICHED_KEYS, "");
    UserEvent e = userEvent(n);
    return new Enriched(e, enrichment(Check.object(n.get("enrichment"), "enrichment")));
  }

  private static UserEvent userEvent(JsonNode n) throws BadRecord {
    String eventId = Check.str(n, "eventId", 1, 100, "");
    String userId = Check.str(n, "userId", 1, 128, "");
    String eventType = Check.oneOf(n, "eventType", Taxonomy.EVENT_TYPES, "");
    long timestamp = Check.nonNegInt(n, "timestamp", "");
    // context: EventContext.default({}): absent is {}, anything else must be the object.
    Context ctx = n.has("context") ? context(Check.object(n.get("context"), "context")) : Context.EMPTY;
    return new UserEvent(eventId, userId, eventType, timestamp, ctx);
  }

  private static Context context(JsonNode c) throws BadRecord {
    Check.strict(c, CONTEXT_KEYS, "context");
    String itemId = c.has("itemId") ? Check.str(c, "itemId", 1, 200, "context") : null;
    return new Context(
        Check.optStr(c, "page", 200, "context"),
        itemId,
        Check.optStr(c, "category", 100, "context"),
        Check.optStr(c, "device", 50, "context"),
        Check.optStr(c, "geo", 50, "context"),
        c.has("lat") ? Check.num(c, "lat", -90, 90, "context") : null,
        c.has("lon") ? Check.num(c, "lon", -180, 180, "context") : null,
        Check.optStr(c, "city", 100, "context"));
  }

  private static Enrichment enrichment(JsonNode n) throws BadRecord {
    String p = "enrichment";
    Check.strict(n, ENRICHMENT_KEYS, p);
    JsonNode cats = n.get("categories");
    if (cats == null || !cats.isArray()) throw BadRecord.schema(p + ".categories", "expected array");
    List<String> categories = new ArrayList<>(cats.size());
    for (JsonNode c : cats) {
      if (!c.isTextual() || Taxonomy.category(c.textValue()) < 0) {
        throw BadRecord.schema(p + ".categories", "expected one of " + Taxonomy.CATEGORIES);
      }
      categories.add(c.textValue());
    }
    String subcategory = Check.nullableStr(n, "subcategory", 0, Integer.MAX_VALUE, p);
    String deviceType = Check.oneOf(n, "deviceType", Taxonomy.DEVICE_TYPES, p);
    JsonNode region = n.get("geoRegion");
    String geoRegion =
        region != null && region.isNull() ? null : Check.oneOf(n, "geoRegion", Taxonomy.GEO_REGIONS, p);
    String city = Check.nullableStr(n, "city", 0, Integer.MAX_VALUE, p);
    double lat = Check.nullableNum(n, "lat", -90, 90, p);
    double lon = Check.nullableNum(n, "lon", -180, 180, p);
    boolean itemKnown = Check.bool(n, "itemKnown", p);
    return new Enrichment(
        categories, subcategory, deviceType, geoRegion, city, Double.isNaN(lat) ? null : lat,
        Double.isNaN(lon) ? null : lon, itemKnown);
  }

  /** JSON.stringify of the EnrichedEvent. */
  static byte[] write(Enriched en) {
    return Check.toJson(
        g -> {
          UserEvent e = en.event();
          Context c = e.context();
          g.writeStartObject();
          g.writeStringField("eventId", e.eventId());
          g.writeStringField("userId", e.userId());
          g.writeStringField("eventType", e.eventType());
          g.writeNumberField("timestamp", e.timestamp());
          g.writeObjectFieldStart("context");
          if (c.page() != null) g.writeStringField("page", c.page());
          if (c.itemId() != null) g.writeStringField("itemId", c.itemId());
          if (c.category() != null) g.writeStringField("category", c.category());
          if (c.device() != null) g.writeStringField("device", c.device());
          if (c.geo() != null) g.writeStringField("geo", c.geo());
          if (c.lat() != null) number(g, "lat", c.lat());
          if (c.lon() != null) number(g, "lon", c.lon());
          if (c.city() != null) g.writeStringField("city", c.city());
          g.writeEndObject();
          Enrichment x = en.enrichment();
          g.writeObjectFieldStart("enrichment");
          g.writeArrayFieldStart("categories");
          for (String cat : x.categories()) g.writeString(cat);
          g.writeEndArray();
          nullableString(g, "subcategory", x.subcategory());
          g.writeStringField("deviceType", x.deviceType());
          nullableString(g, "geoRegion", x.geoRegion());
          nullableString(g, "city", x.city());
          if (x.lat() == null) g.writeNullField("lat");
          else number(g, "lat", x.lat());
          if (x.lon() == null) g.writeNullField("lon");
          else number(g, "lon", x.lon());
          g.writeBooleanField("itemKnown", x.itemKnown());
          g.writeEndObject();
          g.writeEndObject();
        });
  }

  static void number(JsonGenerator g, String name, double d) throws IOException {
    g.writeFieldName(name);
    Js.writeNumber(g, d);
  }

  static void nullableString(JsonGenerator g, String name, String s) throws IOException {
    if (s == null) g.writeNullField(name);
    else g.writeStringField(name, s);
  }
}
