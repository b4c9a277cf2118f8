package io.waybill.topology.shipment;

/**
 * A network change being worked through: re-plan every shipment under {@code indexPrefix} of the
 * shipment index (those whose remaining route uses a closed facility or a disrupted lane, or that
 * have no route), in index order, which is most urgent promise first. The cursor is the last index
 * key done, so a job survives restarts and a tick does as much of it as its budget allows.
 *
 * <p>Why a walk and not a queue of shipments: copying 100,000 affected shipments into a queue store
 * cost 100,000 puts in one tick and 200,000 changelog records; a job is one record however many
 * shipments it covers, written once per tick.
 *
 * @param since when this task noticed the change (epoch millis), for how long each shipment waited
 */
public record ReplanJob(String indexPrefix, long since, String cursor, String reason) {

    /** A job starting at the head of its prefix. */
    public static ReplanJob start(String indexPrefix, String reason, long since) {
        return new ReplanJob(indexPrefix, since, indexPrefix, reason);
    }

    public ReplanJob after(String indexKey) {
        return new ReplanJob(indexPrefix, since, indexKey, reason);
    }

    /** The first index key this job has still to look at (range scans include their lower bound). */
    public String from() {
        return cursor.equals(indexPrefix) ? indexPrefix : cursor + "\u0000";
    }

    /** The store value: since, cursor and reason on three lines (index keys and reasons hold no newline). */
    public String encode() {
        return since + "\n" + cursor + "\n" + reason;
    }

    /**
     * A stored job, or null for an entry of the queue this store held before (key shipmentId, value
     * the reason), which the processor re-plans on its own.
     */
    public static ReplanJob decode(String indexPrefix, String value) {
        int first = value.indexOf('\n');
        int second = first < 0 ? -1 : value.indexOf('\n', first + 1);
        if (second < 0) return null;
        return new ReplanJob(indexPrefix, Long.parseLong(value.substring(0, first)), value.substring(first + 1, second),
                value.substring(second + 1));
    }
}
