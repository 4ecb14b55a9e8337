package city.pulse.kstreams;

import city.pulse.kstreams.Events.Context;
import city.pulse.kstreams.Events.Enriched;
import city.pulse.kstreams.Events.Enrichment;
import city.pulse.kstreams.Events.UserEvent;
import java.util.List;

/** {@code enrichEvent} of jobs/enrich-user-events/job.ts, line for line. */
final class Enrich {
  private Enrich() {}

  /**
   * The enrichment of one event, given the catalogue entry of its item: null (or {@link
   * Catalog#INVALID}) when the event has no itemId or the item is unknown.
   */
  static Enriched enrich(UserEvent e, Catalog.Item item) {
    Context c = e.context();
    Enrichment x;
    if (item != null && item != Catalog.INVALID) {
      String region = Normalize.geoRegion(item.country());
      x =
          new Enrichment(
              List.of(item.category()),
              item.subcategory(),
              Normalize.normalizeDevice(c.device()),
              region != null ? region : Normalize.geoRegion(c.geo()),
              item.city(),
              item.venueLat() != null ? item.venueLat() : c.lat(),
              item.venueLon() != null ? item.venueLon() : c.lon(),
              true);
    } else {
      Normalize.Mapped mapped = Normalize.mapCategory(c.category());
      x =
          new Enrichment(
              mapped != null ? List.of(mapped.category()) : List.of(),
              mapped != null ? mapped.subcategory() : null,
              Normalize.normalizeDevice(c.device()),
              Normalize.geoRegion(c.geo()),
              c.city(),
              c.lat(),
              c.lon(),
              false);
    }
    return new Enriched(e, x);
  }
}
