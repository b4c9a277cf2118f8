package io.waybill.topology.routing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.FacilityType;
import io.waybill.contract.HandlingFlag;
import io.waybill.contract.Lane;
import io.waybill.contract.TransportMode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A network written as YAML, by default the seed network shipped on the class path
 * ({@value #RESOURCE}; its header documents the shape). Every record gets the fixed
 * {@link #UPDATED_AT}, so publishing the same file twice writes identical records. Each call
 * reads the file again and returns new (mutable Avro) records.
 */
public final class SeedNetwork {

    public static final String RESOURCE = "waybill/network/seed-network.yaml";

    /** updatedAt of every record read from a file. */
    public static final Instant UPDATED_AT = Instant.parse("2026-01-01T00:00:00Z");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private final List<Facility> facilities;
    private final List<Lane> lanes;

    public SeedNetwork(List<Facility> facilities, List<Lane> lanes) {
        this.facilities = List.copyOf(facilities);
        this.lanes = List.copyOf(lanes);
    }

    /** The seed network from the class path. */
    public static SeedNetwork load() {
        try (InputStream in = SeedNetwork.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IOException(RESOURCE + " is not on the class path");
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A network document; fails naming every missing field or unknown symbol. */
    public static SeedNetwork read(InputStream yaml) throws IOException {
        Document doc = YAML.readValue(yaml, Document.class);
        List<String> problems = new ArrayList<>();
        List<Facility> facilities = new ArrayList<>();
        List<Lane> lanes = new ArrayList<>();
        List<FacilityDoc> facilityDocs = doc.facilities == null ? List.of() : doc.facilities;
        for (int i = 0; i < facilityDocs.size(); i++) {
            FacilityDoc f = facilityDocs.get(i);
            String where = "facility " + (f.id == null ? "#" + (i + 1) : f.id);
            int before = problems.size();
            require(f.id, "id", where, problems);
            require(f.name, "name", where, problems);
            require(f.region, "region", where, problems);
            require(f.timeZone, "timeZone", where, problems);
            require(f.lat, "lat", where, problems);
            require(f.lon, "lon", where, problems);
            require(f.hourlyCapacity, "hourlyCapacity", where, problems);
            FacilityType type = symbol(FacilityType.class, f.type, "type", where, problems);
            FacilityStatus status = f.status == null ? FacilityStatus.OPEN : symbol(FacilityStatus.class, f.status, "status", where, problems);
            if (problems.size() > before) continue;
            facilities.add(Facility.newBuilder()
                    .setFacilityId(f.id).setName(f.name).setType(type).setRegion(f.region).setTimeZone(f.timeZone)
                    .setLatitude(f.lat).setLongitude(f.lon).setStatus(status).setHourlyCapacity(f.hourlyCapacity)
                    .setHandlingMinutes(f.handlingMinutes == null ? 30 : f.handlingMinutes).setUpdatedAt(UPDATED_AT)
                    .build());
        }
        List<LaneDoc> laneDocs = doc.lanes == null ? List.of() : doc.lanes;
        for (int i = 0; i < laneDocs.size(); i++) {
            LaneDoc l = laneDocs.get(i);
            String where = "lane " + (l.id == null ? "#" + (i + 1) : l.id);
            int before = problems.size();
            require(l.id, "id", where, problems);
            require(l.from, "from", where, problems);
            require(l.to, "to", where, problems);
            require(l.carrier, "carrier", where, problems);
            require(l.transitMinutes, "transitMinutes", where, problems);
            require(l.dailyCapacity, "dailyCapacity", where, problems);
            require(l.cost, "cost", where, problems);
            TransportMode mode = symbol(TransportMode.class, l.mode, "mode", where, problems);
            List<HandlingFlag> handling = new ArrayList<>();
            if (l.handling != null) {
                for (String flag : l.handling) handling.add(symbol(HandlingFlag.class, flag, "handling", where, problems));
            }
            if (problems.size() > before) continue;
            lanes.add(Lane.newBuilder()
                    .setLaneId(l.id).setFromFacilityId(l.from).setToFacilityId(l.to).setCarrier(l.carrier).setMode(mode)
                    .setTransitMinutes(l.transitMinutes)
                    .setDepartureTimes(l.departures == null ? List.of() : List.copyOf(l.departures))
                    .setDailyCapacity(l.dailyCapacity).setCost(l.cost).setAllowedHandling(handling)
                    .setDisrupted(Boolean.TRUE.equals(l.disrupted)).setUpdatedAt(UPDATED_AT)
                    .build());
        }
        if (!problems.isEmpty()) throw new IOException("invalid network: " + String.join("; ", problems));
        return new SeedNetwork(facilities, lanes);
    }

    /** Facilities in file order. */
    public List<Facility> facilities() {
        return facilities;
    }

    /** Lanes in file order. */
    public List<Lane> lanes() {
        return lanes;
    }

    /** The snapshot the planner works on. */
    public RoutingNetwork routingNetwork() {
        return RoutingNetwork.of(facilities, lanes);
    }

    private static void require(Object value, String field, String where, List<String> problems) {
        if (value == null) problems.add(where + ": missing " + field);
    }

    private static <E extends Enum<E>> E symbol(Class<E> type, String value, String field, String where, List<String> problems) {
        if (value == null) {
            problems.add(where + ": missing " + field);
            return null;
        }
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add(where + ": unknown " + field + " " + value);
            return null;
        }
    }

    /** The YAML document (see the header of the seed network file). */
    public static final class Document {
        public List<FacilityDoc> facilities;
        public List<LaneDoc> lanes;
    }

    public static final class FacilityDoc {
        public String id;
        public String name;
        public String type;
        public String region;
        public String timeZone;
        public Double lat;
        public Double lon;
        public Integer hourlyCapacity;
        public Integer handlingMinutes;
        public String status;
    }

    public static final class LaneDoc {
        public String id;
        public String from;
        public String to;
        public String carrier;
        public String mode;
        public Integer transitMinutes;
        public List<String> departures;
        public Integer dailyCapacity;
        public Double cost;
        public List<String> handling;
        public Boolean disrupted;
    }
}
