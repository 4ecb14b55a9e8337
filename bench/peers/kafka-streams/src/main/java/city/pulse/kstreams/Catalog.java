package city.pulse.kstreams;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The catalogue side of the join (model/catalog-event.ts): a CatalogEvent validated like its zod
 * schema, reduced to what the enrichment reads, and the two serdes of the GlobalKTable.
 *
 * <p>The global table's source deserializer is strict: an invalid catalogue record fails and the
 * deserialization handler skips it, so the key keeps its previous value (as the runtime's global
 * table does). The store holds each record's original bytes; its deserializer answers {@link
 * #INVALID} for bytes that do not validate, which only happens for records that the initial bulk
 * load copied into the store unparsed (Kafka Streams restores a GlobalKTable without its source
 * processor). The join treats {@link #INVALID} as an unknown item.
 */
final class Catalog {
  private Catalog() {}

  /** The fields of a CatalogEvent the enrichment uses, and the record's bytes (the stored form). */
  record Item(
      String category,
      String subcategory,
      String country,
      String city,
      Double venueLat,
      Double venueLon,
      byte[] raw) {}

  /** A stored value that is not a valid CatalogEvent. */
  static final Item INVALID = new Item(null, null, null, null, null, null, new byte[0]);

  private static final List<String> STATUSES = List.of("scheduled", "cancelled", "postponed");

  /** zod's z.iso.datetime({ offset: true }) (v4), with \z for JavaScript's $. */
  private static final Pattern DATETIME =
      Pattern.compile(
          "^(?:(?:[0-9][0-9][2468][048]|[0-9][0-9][13579][26]|[0-9][0-9]0[48]|[02468][048]00|[13579][26]00)-02-29"
              + "|[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
              + "|(?:02)-(?:0[1-9]|1[0-9]|2[0-8])))"
              + "T(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]+)?"
              + "(?:Z|([+-](?:[01][0-9]|2[0-3]):[0-5][0-9])))\\z");

  /** CatalogEvent.safeParse(JSON.parse(value)). */
  static Item parse(byte[] value) throws BadRecord {
    JsonNode n = Check.object(Check.parse(value), "(value)");
    Check.str(n, "id", 1, Integer.MAX_VALUE, "");
    Check.str(n, "title", 1, Integer.MAX_VALUE, "");
    String category = Check.oneOf(n, "category", Taxonomy.CATEGORIES, "");
    String subcategory = Check.nullableStr(n, "subcategory", 0, Integer.MAX_VALUE, "");
    datetime(Check.str(n, "startsAt", 0, Integer.MAX_VALUE, ""), "startsAt");
    String endsAt = Check.nullableStr(n, "endsAt", 0, Integer.MAX_VALUE, "");
    if (endsAt != null) datetime(endsAt, "endsAt");
    Check.str(n, "timezone", 1, Integer.MAX_VALUE, "");
    JsonNode venue = Check.object(n.get("venue"), "venue");
    Check.str(venue, "name", 1, Integer.MAX_VALUE, "venue");
    Check.nullableStr(venue, "address", 0, Integer.MAX_VALUE, "venue");
    double lat = Check.nullableNum(venue, "lat", -90, 90, "venue");
    double lon = Check.nullableNum(venue, "lon", -180, 180, "venue");
    String city = Check.str(n, "city", 1, Integer.MAX_VALUE, "");
    String country = Check.str(n, "country", 2, 2, "");
    JsonNode price = n.get("price");
    if (price == null || !price.isNull()) {
      Check.object(price, "price");
      Check.num(price, "min", 0, Double.MAX_VALUE, "price");
      Check.num(price, "max", 0, Double.MAX_VALUE, "price");
      Check.str(price, "currency", 3, 3, "price");
      Check.bool(price, "isFree", "price");
    }
    Check.oneOf(n, "status", STATUSES, "");
    Check.nullableStr(n, "url", 0, Integer.MAX_VALUE, "");
    JsonNode sources = n.get("sources");
    if (sources == null || !sources.isArray()) throw BadRecord.schema("sources", "expected array");
    for (JsonNode s : sources) {
      Check.object(s, "sources");
      Check.str(s, "source", 0, Integer.MAX_VALUE, "sources");
      Check.str(s, "sourceId", 0, Integer.MAX_VALUE, "sources");
      // url: string | null, default null
      if (s.has("url")) Check.nullableStr(s, "url", 0, Integer.MAX_VALUE, "sources");
    }
    JsonNode performers = n.get("performers");
    if (performers != null) {
      if (!performers.isArray()) throw BadRecord.schema("performers", "expected array");
      for (JsonNode p : performers) {
        if (!p.isTextual()) throw BadRecord.schema("performers", "expected string");
      }
    }
    return new Item(
        category, subcategory, country, city, Double.isNaN(lat) ? null : lat,
        Double.isNaN(lon) ? null : lon, value);
  }

  private static void datetime(String s, String path) throws BadRecord {
    if (!DATETIME.matcher(s).matches()) throw BadRecord.schema(path, "invalid ISO datetime");
  }

  /** Source side of the global table: strict (an invalid record fails deserialization). */
  static Serde<Item> sourceSerde() {
    Deserializer<Item> d =
        (topic, data) -> {
          if (data == null || data.length == 0) return null; // a tombstone deletes the key
          try {
            return parse(data);
          } catch (BadRecord e) {
            throw new SerializationException(e.code + ": " + e.getMessage(), e);
          }
        };
    return Serdes.serdeFrom(serializer(), d);
  }

  /** Store side of the global table: the record's own bytes; invalid stored bytes read as INVALID. */
  static Serde<Item> storeSerde() {
    Deserializer<Item> d =
        (topic, data) -> {
          if (data == null) return null;
          try {
            return parse(data);
          } catch (BadRecord e) {
            return INVALID;
          }
        };
    return Serdes.serdeFrom(serializer(), d);
  }

  private static Serializer<Item> serializer() {
    return (topic, item) -> item == null ? null : item.raw();
  }
}
