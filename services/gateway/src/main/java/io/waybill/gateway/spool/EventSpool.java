package io.waybill.gateway.spool;

import io.waybill.contract.ShipmentEvent;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The gateway's durable local spool: accepted events that could not be published to Kafka yet.
 *
 * <p>Why a hand-written file: the spool needs exactly three things (append + fsync before the
 * 202, read in order, drop the drained prefix) and must survive a crash in the middle of a write.
 * Chronicle Queue or an embedded database would do it with a large dependency, off-heap memory
 * and their own file formats to operate; a length-prefixed, CRC-checked record file is a few
 * hundred lines that are tested here and can be inspected with a hex dump.
 *
 * <p>Layout of {@code spool.log}:
 * <pre>
 * header : "WBSPOOL1" | long generation | int schemaLength | writer schema (JSON, UTF-8)
 * record : int bodyLength | int crc32c(body) | body
 * body   : int eventCount | eventCount x (int length | Avro single-object encoded ShipmentEvent)
 * </pre>
 * One record is one accepted request (a whole batch), so a torn write loses a batch that was never
 * acknowledged, never half of one. {@code spool.offset} holds {@code generation | offset | crc32c}:
 * where draining continues. Draining is at least once across crashes (a chunk published but not
 * yet checkpointed is published again after a restart); the engine's eventId dedupe removes those.
 *
 * <p>Bounded: the log never grows beyond {@code maxBytes}. The drained prefix is dropped by
 * rewriting the undrained tail into a new generation of the file (write, fsync, atomic rename).
 * All methods are thread-safe; appends are serialised (one fsync per accepted request).
 */
public final class EventSpool implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EventSpool.class);

    static final String LOG_FILE = "spool.log";
    static final String OFFSET_FILE = "spool.offset";
    private static final byte[] MAGIC = "WBSPOOL1".getBytes(StandardCharsets.US_ASCII);
    private static final int RECORD_HEADER = 8;
    private static final int CHECKPOINT_SIZE = 20;

    private static final BinaryMessageEncoder<ShipmentEvent> ENCODER = ShipmentEvent.getEncoder();

    private final Path dir;
    private final long maxBytes;
    private final BinaryMessageDecoder<ShipmentEvent> decoder = new BinaryMessageDecoder<>(SpecificData.getForClass(ShipmentEvent.class), ShipmentEvent.getClassSchema());

    private FileChannel log;
    private FileChannel checkpoint;
    private long generation;
    private long headerLength;
    /** Undrained records, oldest first. */
    private final Deque<RecordRef> undrained = new ArrayDeque<>();
    private long readOffset;
    private long end;
    private long undrainedEvents;
    private boolean refusedSinceLastDrain;
    /** The log was written by a gateway with another version of the contract (rewritten on open). */
    private boolean writtenWithOtherSchema;
    /** Damaged bytes were found between records: the log is rewritten without them on open. */
    private boolean mustCompact;
    private final Recovery recovery;
    private final ExecutorService io = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "waybill-spool-io");
        thread.setDaemon(true);
        return thread;
    });

    private record RecordRef(long offset, int length, int eventCount) {
        long next() {
            return offset + RECORD_HEADER + length;
        }
    }

    /** A chunk of spooled batches in append order, to publish and then {@link #acknowledge}. */
    public record Chunk(List<ShipmentEvent> events, long generation, long endOffset) {
    }

    /** What opening the spool found on disk: undrained batches and events, a torn tail dropped, damaged bytes set aside. */
    public record Recovery(int batches, long events, long tornBytesDropped, Path quarantined, long corruptBytesSkipped) {
        public Recovery(int batches, long events, long tornBytesDropped, Path quarantined) {
            this(batches, events, tornBytesDropped, quarantined, 0);
        }
    }

    /** Not enough room for a request: the caller must refuse it (503), never drop it. */
    public static final class SpoolFullException extends Exception {
        public SpoolFullException(String message) {
            super(message);
        }
    }

    private EventSpool(Path dir, long maxBytes) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        Files.createDirectories(dir);
        this.recovery = recover();
        if (maxBytes < headerLength + 1024) {
            close();
            throw new IllegalArgumentException("a spool of " + maxBytes + " bytes cannot hold anything: its header alone takes "
                    + headerLength + " bytes (waybill.gateway.spool-max-bytes)");
        }
    }

    /**
     * Opens (or creates) the spool in {@code dir}: validates every undrained record, drops a torn
     * tail (it was never fsynced, so never acknowledged) after copying it aside for inspection.
     */
    public static EventSpool open(Path dir, long maxBytes) throws IOException {
        return new EventSpool(dir.toAbsolutePath(), maxBytes);
    }

    public Recovery recovery() {
        return recovery;
    }

    private Recovery recover() throws IOException {
        Path logFile = dir.resolve(LOG_FILE);
        if (!Files.exists(logFile) || Files.size(logFile) == 0) {
            writeNewGeneration(1, List.of());
            return new Recovery(0, 0, 0, null);
        }
        log = FileChannel.open(logFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Header header = readHeader(log);
        generation = header.generation();
        headerLength = header.length();
        writtenWithOtherSchema = !header.schema().equals(ShipmentEvent.getClassSchema());
        if (writtenWithOtherSchema) {
            // Written by a gateway with another version of the contract: teach the decoder that
            // schema, then rewrite what is left with the current one below.
            decoder.addSchema(header.schema());
        }
        checkpoint = FileChannel.open(dir.resolve(OFFSET_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long start = readCheckpoint();
        long size = log.size();
        long position = Math.min(Math.max(start, headerLength), size);
        long corruptBytes = 0;
        while (position < size) {
            RecordRef ref = readRecordAt(position, size);
            if (ref == null) {
                // Either the torn last record (never fsynced, never acknowledged) or a damaged one in the middle (a bad
                // sector, a stray write) followed by acknowledged records: those must survive, so look for the next
                // record whose length and checksum hold, and set only the damaged bytes aside.
                long next = nextIntactRecord(position + 1, size);
                if (next < 0) break;
                quarantine(position, next - position, "corrupt");
                LOG.errorf("spool: %d damaged bytes at offset %d set aside; the acknowledged records after them are kept", next - position, position);
                corruptBytes += next - position;
                position = next;
                continue;
            }
            undrained.add(ref);
            undrainedEvents += ref.eventCount();
            position = ref.next();
        }
        if (corruptBytes > 0) mustCompact = true;
        Path quarantined = null;
        long torn = size - position;
        if (torn > 0) {
            quarantined = dir.resolve("spool.torn-" + Instant.now().toEpochMilli());
            try (FileChannel out = FileChannel.open(quarantined, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                log.transferTo(position, torn, out);
                out.force(true);
            }
            log.truncate(position);
            log.force(true);
            LOG.warnf("spool: dropped %d bytes of a torn last record at offset %d (never acknowledged); copy kept in %s",
                    torn, position, quarantined);
        }
        readOffset = undrained.isEmpty() ? position : undrained.peekFirst().offset();
        end = position;
        Recovery found = new Recovery(undrained.size(), undrainedEvents, torn, quarantined, corruptBytes);
        // A rewrite leaves the damaged bytes (and records written with another schema) behind.
        if (writtenWithOtherSchema || mustCompact) compact();
        return found;
    }

    private record Header(long generation, int length, Schema schema) {
    }

    private static Header readHeader(FileChannel channel) throws IOException {
        ByteBuffer fixed = ByteBuffer.allocate(MAGIC.length + 12);
        readFully(channel, fixed, 0);
        byte[] magic = new byte[MAGIC.length];
        fixed.flip().get(magic);
        if (!Arrays.equals(magic, MAGIC)) throw new IOException("not a Waybill spool file (bad magic)");
        long generation = fixed.getLong();
        int schemaLength = fixed.getInt();
        if (schemaLength <= 0 || schemaLength > 1 << 20) throw new IOException("spool header: bad schema length " + schemaLength);
        ByteBuffer schema = ByteBuffer.allocate(schemaLength);
        readFully(channel, schema, fixed.capacity());
        Schema parsed = new Schema.Parser().parse(new String(schema.array(), StandardCharsets.UTF_8));
        return new Header(generation, fixed.capacity() + schemaLength, parsed);
    }

    /**
     * The offset of the first record at or after {@code from} whose header and checksum hold and which
     * is followed by another intact record or the end of the file, or -1 (only a torn tail is left).
     * Two records in a row make a false match of random bytes (a 1 in 2^32 checksum) practically impossible.
     */
    private long nextIntactRecord(long from, long size) throws IOException {
        for (long p = from; p + RECORD_HEADER + 4 <= size; p++) {
            RecordRef candidate = readRecordAt(p, size);
            if (candidate == null) continue;
            if (candidate.next() == size || readRecordAt(candidate.next(), size) != null) return p;
        }
        return -1;
    }

    private void quarantine(long position, long length, String why) throws IOException {
        Path aside = dir.resolve("spool." + why + "-" + position + "-" + Instant.now().toEpochMilli());
        try (FileChannel out = FileChannel.open(aside, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            log.transferTo(position, length, out);
            out.force(true);
        }
    }

    /**
     * Keeps events Kafka refuses for good beside the spool, in a file of their own
     * ({@code spool.set-aside-<millis>}: the reason as a first line, then each event as a length and its
     * Avro single-object encoding), fsynced, so that they are never lost and can be looked at or replayed.
     */
    public synchronized Path setAside(List<ShipmentEvent> events, String reason) throws IOException {
        Path file = dir.resolve("spool.set-aside-" + System.currentTimeMillis() + "-" + events.get(0).getEventId());
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long at = writeFully(out, ByteBuffer.wrap((reason.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            for (ShipmentEvent e : events) {
                ByteBuffer encoded = ENCODER.encode(e);
                at += writeFully(out, ByteBuffer.allocate(4).putInt(encoded.remaining()).flip(), at);
                at += writeFully(out, encoded, at);
            }
            out.force(true);
        }
        return file;
    }

    /** The events of a file written by {@link #setAside}. */
    public static List<ShipmentEvent> readSetAside(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int i = 0;
        while (bytes[i] != '\n') i++;
        ByteBuffer buf = ByteBuffer.wrap(bytes, i + 1, bytes.length - i - 1);
        List<ShipmentEvent> events = new ArrayList<>();
        while (buf.remaining() >= 4) {
            byte[] one = new byte[buf.getInt()];
            buf.get(one);
            events.add(ShipmentEvent.getDecoder().decode(one));
        }
        return events;
    }

    /** The record at {@code position}, or null when it is incomplete or its checksum is wrong. */
    private RecordRef readRecordAt(long position, long size) throws IOException {
        if (size - position < RECORD_HEADER) return null;
        ByteBuffer head = ByteBuffer.allocate(RECORD_HEADER);
        readFully(log, head, position);
        head.flip();
        int length = head.getInt();
        int crc = head.getInt();
        if (length < 4 || length > maxBytes || position + RECORD_HEADER + length > size) return null;
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(log, body, position + RECORD_HEADER);
        if (crc32c(body.array()) != crc) return null;
        int count = body.flip().getInt();
        return new RecordRef(position, length, count);
    }

    private long readCheckpoint() throws IOException {
        if (checkpoint.size() < CHECKPOINT_SIZE) return headerLength;
        ByteBuffer buf = ByteBuffer.allocate(CHECKPOINT_SIZE);
        readFully(checkpoint, buf, 0);
        buf.flip();
        long gen = buf.getLong();
        long offset = buf.getLong();
        int crc = buf.getInt();
        if (crc32c(Arrays.copyOf(buf.array(), 16)) != crc) {
            LOG.warn("spool: checkpoint is torn; draining again from the start of the log (the engine dedupes by eventId)");
            return headerLength;
        }
        // A checkpoint of an older generation belongs to a file that compaction replaced: the new
        // file holds only undrained records.
        return gen == generation ? offset : headerLength;
    }

    private void writeCheckpoint(long offset) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHECKPOINT_SIZE);
        buf.putLong(generation).putLong(offset);
        buf.putInt(crc32c(Arrays.copyOf(buf.array(), 16)));
        buf.flip();
        while (buf.hasRemaining()) checkpoint.write(buf, buf.position());
        checkpoint.force(false);
    }

    /** An encoded batch waiting for the I/O thread to write and fsync it. */
    private record PendingAppend(ByteBuffer record, int eventCount, CompletableFuture<Void> written) {
    }

    private final ConcurrentLinkedQueue<PendingAppend> pendingAppends = new ConcurrentLinkedQueue<>();

    /**
     * Appends one accepted batch and forces it to disk before returning: only then may the
     * gateway answer 202. Concurrent appends share one fsync (group commit): each caller encodes
     * its batch, the I/O thread writes every batch waiting at that moment and forces them at once.
     */
    public void append(List<ShipmentEvent> batch) throws SpoolFullException, IOException {
        if (batch.isEmpty()) return;
        PendingAppend pending = new PendingAppend(encode(batch), batch.size(), new CompletableFuture<>());
        pendingAppends.add(pending);
        io.execute(this::writePendingAppends);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    pending.written().get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof SpoolFullException full) throw new SpoolFullException(full.getMessage());
                    if (e.getCause() instanceof IOException io) throw new IOException(io.getMessage(), io);
                    throw new IOException(e.getCause());
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** On the I/O thread: writes every batch queued so far, one fsync for all of them. */
    private synchronized void writePendingAppends() {
        List<PendingAppend> written = new ArrayList<>();
        long start = end;
        try {
            PendingAppend next;
            while ((next = pendingAppends.poll()) != null) {
                int needed = next.record().remaining();
                if (end + needed > maxBytes && readOffset > headerLength) {
                    // Compaction moves the records written so far: force them first, then continue.
                    commit(written, start);
                    written.clear();
                    compact();
                    start = end;
                }
                if (end + needed > maxBytes) {
                    refusedSinceLastDrain = true;
                    next.written().completeExceptionally(new SpoolFullException("the gateway's spool is full (" + (end - headerLength)
                            + " of " + maxBytes + " bytes hold " + undrainedEvents + " events waiting for Kafka)"));
                    continue;
                }
                ByteBuffer record = next.record().duplicate();
                long at = end;
                while (record.hasRemaining()) log.write(record, at + record.position());
                end = at + needed;
                written.add(next);
            }
            commit(written, start);
        } catch (IOException | RuntimeException e) {
            // Nothing of this group is acknowledged: cut the log back to where the group began.
            end = start;
            try {
                log.truncate(start);
            } catch (IOException ignored) {
                // the next open finds and drops whatever is left
            }
            written.forEach(p -> p.written().completeExceptionally(e));
            PendingAppend left;
            while ((left = pendingAppends.poll()) != null) left.written().completeExceptionally(e);
        }
    }

    private void commit(List<PendingAppend> written, long start) throws IOException {
        if (written.isEmpty()) return;
        log.force(false);
        long at = start;
        for (PendingAppend p : written) {
            int length = p.record().remaining();
            undrained.add(new RecordRef(at, length - RECORD_HEADER, p.eventCount()));
            undrainedEvents += p.eventCount();
            at += length;
        }
        notifyAll();
        written.forEach(p -> p.written().complete(null));
    }

    private static ByteBuffer encode(List<ShipmentEvent> batch) throws IOException {
        List<ByteBuffer> encoded = new ArrayList<>(batch.size());
        int bodyLength = 4;
        for (ShipmentEvent event : batch) {
            ByteBuffer bytes = ENCODER.encode(event);
            encoded.add(bytes);
            bodyLength += 4 + bytes.remaining();
        }
        ByteBuffer record = ByteBuffer.allocate(RECORD_HEADER + bodyLength);
        record.position(RECORD_HEADER);
        record.putInt(batch.size());
        for (ByteBuffer bytes : encoded) {
            record.putInt(bytes.remaining()).put(bytes);
        }
        CRC32C crc = new CRC32C();
        crc.update(record.array(), RECORD_HEADER, bodyLength);
        record.putInt(0, bodyLength).putInt(4, (int) crc.getValue());
        return record.flip();
    }

    /** Up to about {@code maxEvents} of the oldest spooled events (whole batches, at least one). */
    public Chunk peek(int maxEvents) throws IOException {
        try {
            return onIoThread(() -> peekNow(maxEvents));
        } catch (SpoolFullException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private synchronized Chunk peekNow(int maxEvents) throws IOException {
        List<ShipmentEvent> events = new ArrayList<>();
        long chunkEnd = readOffset;
        for (RecordRef ref : undrained) {
            if (!events.isEmpty() && events.size() + ref.eventCount() > maxEvents) break;
            events.addAll(decode(ref));
            chunkEnd = ref.next();
        }
        return new Chunk(List.copyOf(events), generation, chunkEnd);
    }

    /** Blocks until something is spooled or the time is up; true when there is something to drain. */
    public synchronized boolean awaitNonEmpty(long millis) throws InterruptedException {
        if (undrained.isEmpty() && millis > 0) wait(millis);
        return !undrained.isEmpty();
    }

    /**
     * Marks a chunk as published: the checkpoint moves past it (fsynced), and the drained prefix is
     * dropped once the spool is empty or the prefix takes half the room.
     */
    public void acknowledge(Chunk chunk) throws IOException {
        try {
            onIoThread(() -> {
                acknowledgeNow(chunk);
                return null;
            });
        } catch (SpoolFullException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private synchronized void acknowledgeNow(Chunk chunk) throws IOException {
        if (chunk.generation() != generation) {
            throw new IllegalStateException("chunk of generation " + chunk.generation() + " acknowledged in generation " + generation);
        }
        while (!undrained.isEmpty() && undrained.peekFirst().next() <= chunk.endOffset()) {
            undrainedEvents -= undrained.removeFirst().eventCount();
        }
        readOffset = undrained.isEmpty() ? end : undrained.peekFirst().offset();
        refusedSinceLastDrain = false;
        if (undrained.isEmpty() || readOffset - headerLength > maxBytes / 2) {
            compact();
        } else {
            writeCheckpoint(readOffset);
        }
    }

    /** Calls {@link Consumer} with every spooled event, oldest first (e.g. to remember their eventIds after a restart). */
    public void forEachEvent(Consumer<ShipmentEvent> action) throws IOException {
        List<RecordRef> refs;
        synchronized (this) {
            refs = List.copyOf(undrained);
        }
        for (RecordRef ref : refs) {
            List<ShipmentEvent> events;
            try {
                events = onIoThread(() -> decodeIfStillThere(ref));
            } catch (SpoolFullException impossible) {
                throw new IllegalStateException(impossible);
            }
            events.forEach(action);
        }
    }

    private synchronized List<ShipmentEvent> decodeIfStillThere(RecordRef ref) throws IOException {
        return undrained.contains(ref) ? decode(ref) : List.of();
    }

    private interface IoOperation<T> {
        T run() throws IOException, SpoolFullException;
    }

    /**
     * File I/O runs on one thread of its own that is never interrupted: an interrupt (a request
     * timing out, a shutdown) during a FileChannel call would close the channel under everyone.
     * Callers wait without giving up, since every operation is bounded by the disk.
     */
    private <T> T onIoThread(IoOperation<T> operation) throws IOException, SpoolFullException {
        Future<T> result = io.submit(operation::run);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof IOException io) throw io;
                    if (cause instanceof SpoolFullException full) throw full;
                    if (cause instanceof RuntimeException runtime) throw runtime;
                    throw new IOException(cause);
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Rewrites the undrained records into a new generation of the log and swaps it in atomically. */
    private void compact() throws IOException {
        List<ByteBuffer> records = new ArrayList<>(undrained.size());
        for (RecordRef ref : undrained) {
            if (writtenWithOtherSchema) {
                records.add(encode(decode(ref)));
            } else {
                ByteBuffer bytes = ByteBuffer.allocate(RECORD_HEADER + ref.length());
                readFully(log, bytes, ref.offset());
                records.add(bytes.flip());
            }
        }
        long dropped = readOffset - headerLength;
        writeNewGeneration(generation + 1, records);
        writtenWithOtherSchema = false;
        mustCompact = false;
        LOG.debugf("spool: compacted to generation %d (%d drained bytes dropped)", generation, dropped);
    }

    private void writeNewGeneration(long newGeneration, List<ByteBuffer> records) throws IOException {
        byte[] schema = ShipmentEvent.getClassSchema().toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer header = ByteBuffer.allocate(MAGIC.length + 12 + schema.length);
        header.put(MAGIC).putLong(newGeneration).putInt(schema.length).put(schema).flip();
        Path next = dir.resolve(LOG_FILE + ".next");
        Files.deleteIfExists(next);
        try (FileChannel out = FileChannel.open(next, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long at = 0;
            at += writeFully(out, header, at);
            for (ByteBuffer record : records) at += writeFully(out, record.duplicate(), at);
            out.force(true);
        }
        try {
            Files.move(next, dir.resolve(LOG_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the spool directory " + dir + " does not support atomic renames", e);
        }
        forceDirectory();
        if (log != null) log.close();
        log = FileChannel.open(dir.resolve(LOG_FILE), StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (checkpoint == null) {
            checkpoint = FileChannel.open(dir.resolve(OFFSET_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        generation = newGeneration;
        headerLength = header.capacity();
        // Re-index: same records, new offsets.
        undrained.clear();
        undrainedEvents = 0;
        long position = headerLength;
        long size = log.size();
        while (position < size) {
            RecordRef ref = readRecordAt(position, size);
            if (ref == null) throw new IOException("spool compaction produced an unreadable record at " + position);
            undrained.add(ref);
            undrainedEvents += ref.eventCount();
            position = ref.next();
        }
        readOffset = headerLength;
        end = position;
        writeCheckpoint(readOffset);
    }

    private List<ShipmentEvent> decode(RecordRef ref) throws IOException {
        ByteBuffer body = ByteBuffer.allocate(ref.length());
        readFully(log, body, ref.offset() + RECORD_HEADER);
        body.flip();
        int count = body.getInt();
        List<ShipmentEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = body.getInt();
            ByteBuffer one = body.slice(body.position(), length);
            body.position(body.position() + length);
            events.add(decoder.decode(one));
        }
        return events;
    }

    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot fsync a directory; the rename is still atomic there.
            LOG.debugf("spool: cannot fsync directory %s: %s", dir, e.getMessage());
        }
    }

    public synchronized boolean isEmpty() {
        return undrained.isEmpty();
    }

    /** Events waiting to be published. */
    public synchronized long depthEvents() {
        return undrainedEvents;
    }

    /** Bytes of the records waiting to be published. */
    public synchronized long depthBytes() {
        return end - readOffset;
    }

    public long capacityBytes() {
        return maxBytes;
    }

    /** True after the spool refused a request for lack of room, until the next drained chunk. */
    public synchronized boolean isFull() {
        return refusedSinceLastDrain;
    }

    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        io.shutdown();
        try {
            io.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            closeFiles();
        }
    }

    private void closeFiles() {
        try {
            if (log != null) log.close();
            if (checkpoint != null) checkpoint.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) throw new IOException("unexpected end of spool file at " + at);
            at += n;
        }
    }

    private static long writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long written = 0;
        while (buffer.hasRemaining()) written += channel.write(buffer, position + written);
        return written;
    }
}
