package io.waybill.topology.catalogue;

import io.apicurio.registry.serde.avro.DefaultAvroDatumProvider;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificRecord;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Apicurio's datum provider with its writers and readers cached by schema instance.
 *
 * <p>Why: {@link DefaultAvroDatumProvider} keys its caches by the schema's parsing fingerprint and
 * computes that fingerprint (canonical form, then CRC-64) on every record it writes or reads. In the
 * engine's profile that was a third of the stream thread's time. The schemas it is handed are the
 * same instances record after record (a generated class's {@code SCHEMA$}, the registry client's
 * parsed schema per id), so an identity lookup finds them; the fingerprint is computed once per
 * instance, by the default provider, on a miss.
 */
public final class CachedAvroDatumProvider<T> extends DefaultAvroDatumProvider<T> {

    /** Copy-on-write: read on every record by every stream thread, written once per schema. */
    private volatile Map<Schema, DatumWriter<T>> specificWriters = new IdentityHashMap<>();
    private volatile Map<Schema, DatumWriter<T>> genericWriters = new IdentityHashMap<>();
    private volatile Map<Schema, DatumReader<T>> readers = new IdentityHashMap<>();

    @Override
    public DatumWriter<T> createDatumWriter(T data, Schema schema) {
        if (data instanceof SpecificRecord) {
            DatumWriter<T> w = specificWriters.get(schema);
            if (w != null) return w;
            return cached(schema, s -> super.createDatumWriter(data, s), true);
        }
        DatumWriter<T> w = genericWriters.get(schema);
        if (w != null) return w;
        return cached(schema, s -> super.createDatumWriter(data, s), false);
    }

    @Override
    public DatumReader<T> createDatumReader(Schema schema) {
        DatumReader<T> r = readers.get(schema);
        if (r != null) return r;
        synchronized (this) {
            r = super.createDatumReader(schema);
            Map<Schema, DatumReader<T>> next = new IdentityHashMap<>(readers);
            next.put(schema, r);
            readers = next;
            return r;
        }
    }

    private synchronized DatumWriter<T> cached(Schema schema, Function<Schema, DatumWriter<T>> create, boolean specific) {
        DatumWriter<T> w = create.apply(schema);
        Map<Schema, DatumWriter<T>> next = new IdentityHashMap<>(specific ? specificWriters : genericWriters);
        next.put(schema, w);
        if (specific) specificWriters = next;
        else genericWriters = next;
        return w;
    }
}
