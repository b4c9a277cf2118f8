package io.waybill.topology.catalogue;

/**
 * An input value its deserializer could not read (garbage bytes, an unknown schema id), handed to the
 * processor as a value instead of thrown (see {@link WaybillSerdes#input}).
 *
 * <p>Why not Kafka Streams' deserialization exception handler: Streams skips a record its handler
 * resumes past before the task sees it, and commits a partition's offset only once the task has
 * processed a record of that partition. A dead letter the handler returned could thus commit in the
 * thread's transaction while its record's offset did not (the record was the first the task read from
 * its partition), and a crash then read the record again and dead-lettered it twice. A value the
 * processor dead-letters consumes its offset in the same transaction as its dead letter.
 *
 * @param value the record's bytes as read, for the dead letter and a replay
 * @param error why the deserializer could not read them
 */
public record UndecodableInput(byte[] value, RuntimeException error) {

    /** What is wrong with the bytes, in words a producer's owner can act on, then the deserializer's own message. */
    public String reason() {
        String detail = error.getMessage() == null ? error.toString() : error.getMessage();
        if (value.length < 5 || value[0] != 0) {
            return "not in the Confluent wire format (a 0 byte, a 4-byte schema id, the Avro body): "
                    + (value.length == 0 ? "no bytes" : "the first byte is 0x" + String.format("%02x", value[0] & 0xff)
                    + (value.length < 5 ? " and there are only " + value.length + " bytes" : "")) + " (" + detail + ")";
        }
        int schemaId = java.nio.ByteBuffer.wrap(value, 1, 4).getInt();
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof com.microsoft.kiota.ApiException api && api.getResponseStatusCode() == 404) {
                return "the registry has no schema with id " + schemaId + " (" + detail + ")";
            }
        }
        return "the Avro body does not fit schema id " + schemaId + " (" + detail + ")";
    }
}
