package io.waybill.topology.workflow;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The workflows shipped with Waybill (src/main/resources/waybill/workflows). */
public final class BuiltInWorkflows {

    public static final String DEFAULT = "standard-parcel";
    public static final String RETURN_TO_SENDER = "return-to-sender";

    static final List<String> FILES = List.of("standard-parcel", "express", "cold-chain", "hazmat", "return-to-sender");

    private static final List<Workflow> ALL = load();

    private BuiltInWorkflows() {
    }

    public static List<Workflow> all() {
        return ALL;
    }

    /** The definition documents as written, for publishing to the workflows topic. */
    public static List<WorkflowDefinitions.Document> documents() {
        List<WorkflowDefinitions.Document> docs = new ArrayList<>();
        for (String file : FILES) {
            try (InputStream in = WorkflowDefinitions.resource("waybill/workflows/" + file + ".yaml")) {
                docs.add(WorkflowDefinitions.read(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (WorkflowDefinitions.InvalidWorkflowException e) {
                throw new IllegalStateException("built-in workflow " + file + ": " + e.getMessage(), e);
            }
        }
        return docs;
    }

    private static List<Workflow> load() {
        List<Workflow> workflows = new ArrayList<>();
        for (WorkflowDefinitions.Document doc : documents()) {
            try {
                workflows.add(WorkflowDefinitions.parse(doc));
            } catch (WorkflowDefinitions.InvalidWorkflowException e) {
                throw new IllegalStateException("built-in " + e.getMessage(), e);
            }
        }
        return List.copyOf(workflows);
    }
}
