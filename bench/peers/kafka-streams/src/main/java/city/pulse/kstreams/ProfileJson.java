package city.pulse.kstreams;

import city.pulse.kstreams.Profile.City;
import city.pulse.kstreams.Profile.Item;
import city.pulse.kstreams.Profile.State;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * JSON forms of the profile: the store value (ProfileState as the runtime's {@code profiles} store
 * keeps it, field for field, but for {@code seen}, which has a store of its own: see {@link
 * Profile}) and the ProfileUpdate of {@code user-profile-updates}.
 */
final class ProfileJson {
  private ProfileJson() {}

  static Serde<State> stateSerde() {
    Serializer<State> ser = (topic, s) -> s == null ? null : writeState(s);
    Deserializer<State> de =
        (topic, data) -> {
          if (data == null) return null;
          try {
            return readState(data);
          } catch (IOException | RuntimeException e) {
            throw new SerializationException("corrupt profile state: " + e.getMessage(), e);
          }
        };
    return Serdes.serdeFrom(ser, de);
  }

  static byte[] writeState(State s) {
    return Check.toJson(
        g -> {
          g.writeStartObject();
          g.writeNumberField("version", s.version);
          if (s.hasLastEventAt) g.writeNumberField("lastEventAt", s.lastEventAt);
          else g.writeNullField("lastEventAt");
          writeInterests(g, s);
          Events.number(g, "activity", s.activity);
          writeEventCounts(g, s);
          g.writeNumberField("totalEvents", s.totalEvents);
          writeItems(g, "recentItems", s.recentItems);
          writeItems(g, "dismissedItems", s.dismissedItems);
          writeItems(g, "purchasedItems", s.purchasedItems);
          g.writeObjectFieldStart("cities");
          for (var en : s.cities.entrySet()) {
            g.writeObjectFieldStart(en.getKey());
            g.writeNumberField("n", en.getValue().n);
            g.writeNumberField("t", en.getValue().t);
            g.writeEndObject();
          }
          g.writeEndObject();
          if (s.hasSeenPrunedAt) g.writeNumberField("seenPrunedAt", s.seenPrunedAt);
          else g.writeNullField("seenPrunedAt");
          if (s.hasSeenMin) g.writeNumberField("seenMin", s.seenMin);
          else g.writeNullField("seenMin");
          g.writeEndObject();
        });
  }

  private static void writeInterests(JsonGenerator g, State s) throws IOException {
    g.writeObjectFieldStart("interests");
    for (int i = 0; i < s.interests; i++) {
      Events.number(g, Taxonomy.CATEGORIES.get(s.interestCat[i]), s.interestVal[i]);
    }
    g.writeEndObject();
  }

  private static void writeEventCounts(JsonGenerator g, State s) throws IOException {
    g.writeObjectFieldStart("eventCounts");
    for (int i = 0; i < s.eventCounts.length; i++) {
      g.writeNumberField(Taxonomy.EVENT_TYPES.get(i), s.eventCounts[i]);
    }
    g.writeEndObject();
  }

  private static void writeItems(JsonGenerator g, String name, List<Item> items)
      throws IOException {
    g.writeArrayFieldStart(name);
    for (Item it : items) {
      g.writeStartObject();
      g.writeStringField("id", it.id);
      g.writeNumberField("t", it.t);
      g.writeStringField("e", it.e);
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  static State readState(byte[] data) throws IOException {
    State s = new State();
    try (JsonParser p = Check.FACTORY.createParser(data)) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        switch (field) {
          case "version" -> s.version = p.getLongValue();
          case "lastEventAt" -> {
            s.hasLastEventAt = v != JsonToken.VALUE_NULL;
            if (s.hasLastEventAt) s.lastEventAt = p.getLongValue();
          }
          case "interests" -> {
            expect(v, JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              int cat = Taxonomy.category(p.currentName());
              if (cat < 0) throw new IOException("unknown category " + p.currentName());
              p.nextToken();
              s.interestCat[s.interests] = (byte) cat;
              s.interestVal[s.interests++] = p.getDoubleValue();
            }
          }
          case "activity" -> s.activity = p.getDoubleValue();
          case "eventCounts" -> {
            expect(v, JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              int type = Taxonomy.eventType(p.currentName());
              p.nextToken();
              if (type < 0) throw new IOException("unknown event type " + p.currentName());
              s.eventCounts[type] = p.getLongValue();
            }
          }
          case "totalEvents" -> s.totalEvents = p.getLongValue();
          case "recentItems" -> readItems(p, v, s.recentItems);
          case "dismissedItems" -> readItems(p, v, s.dismissedItems);
          case "purchasedItems" -> readItems(p, v, s.purchasedItems);
          case "cities" -> {
            expect(v, JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String city = p.currentName();
              expect(p.nextToken(), JsonToken.START_OBJECT);
              long n = 0;
              long t = 0;
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                if (f.equals("n")) n = p.getLongValue();
                else if (f.equals("t")) t = p.getLongValue();
              }
              s.cities.put(city, new City(n, t));
            }
          }
          case "seenPrunedAt" -> {
            s.hasSeenPrunedAt = v != JsonToken.VALUE_NULL;
            if (s.hasSeenPrunedAt) s.seenPrunedAt = p.getLongValue();
          }
          case "seenMin" -> {
            s.hasSeenMin = v != JsonToken.VALUE_NULL;
            if (s.hasSeenMin) s.seenMin = p.getLongValue();
          }
          default -> p.skipChildren();
        }
      }
    }
    return s;
  }

  private static void readItems(JsonParser p, JsonToken v, List<Item> out) throws IOException {
    expect(v, JsonToken.START_ARRAY);
    while (p.nextToken() == JsonToken.START_OBJECT) {
      String id = null;
      String e = null;
      long t = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        p.nextToken();
        switch (f) {
          case "id" -> id = p.getText();
          case "t" -> t = p.getLongValue();
          case "e" -> e = p.getText();
          default -> p.skipChildren();
        }
      }
      if (id == null || e == null) throw new IOException("item without id or e");
      out.add(new Item(id, t, e));
    }
  }

  private static void expect(JsonToken got, JsonToken want) throws IOException {
    if (got != want) throw new IOException("expected " + want + ", got " + got);
  }

  /** JSON.stringify of the ProfileUpdate {userId, version, updatedAt, profile: toProfile(state)}. */
  static byte[] writeUpdate(String userId, State s, long updatedAt) {
    return Check.toJson(
        g -> {
          g.writeStartObject();
          g.writeStringField("userId", userId);
          g.writeNumberField("version", s.version);
          g.writeNumberField("updatedAt", updatedAt);
          g.writeObjectFieldStart("profile");
          writeInterests(g, s);
          writeEventCounts(g, s);
          g.writeNumberField("totalEvents", s.totalEvents);
          if (s.hasLastEventAt) g.writeNumberField("lastEventAt", s.lastEventAt);
          else g.writeNullField("lastEventAt");
          writeIds(g, "recentItems", s.recentItems);
          writeIds(g, "dismissedItems", s.dismissedItems);
          writeIds(g, "purchasedItems", s.purchasedItems);
          Events.number(g, "activityScore", Profile.activityScore(s));
          Events.nullableString(g, "home", Profile.home(s));
          g.writeEndObject();
          g.writeEndObject();
        });
  }

  private static void writeIds(JsonGenerator g, String name, List<Item> items) throws IOException {
    g.writeArrayFieldStart(name);
    for (Item it : items) g.writeString(it.id);
    g.writeEndArray();
  }
}
