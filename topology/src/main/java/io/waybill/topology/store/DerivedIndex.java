package io.waybill.topology.store;

import java.util.Collection;
import java.util.function.Function;

/**
 * A secondary index that is a pure function of a primary store's values: for each value, the index
 * keys it contributes (values in the index are empty). See {@link IndexedStoreSupplier}.
 *
 * @param storeName the index's own (unlogged) store, queryable like any key-value store
 * @param keys the index keys of one primary value; never called with null
 */
public record DerivedIndex<V>(String storeName, Function<V, Collection<String>> keys) {
}
