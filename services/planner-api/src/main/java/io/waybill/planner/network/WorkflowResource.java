package io.waybill.planner.network;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.security.identity.SecurityIdentity;
import io.waybill.contract.WaybillTopic;
import io.waybill.contract.WorkflowDefinition;
import io.waybill.planner.KafkaPublisher;
import io.waybill.planner.Responses;
import io.waybill.planner.auth.Caller;
import io.waybill.planner.auth.Roles;
import io.waybill.topology.workflow.Workflow;
import io.waybill.topology.workflow.WorkflowDefinitions;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Versioned workflow definitions, from the compacted workflows topic; admins publish new versions. */
@Path("/api/v1/workflows")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "workflows", description = "Workflow definitions: the states, transitions, milestones and timers a shipment follows, versioned")
public class WorkflowResource {

    private static final Logger LOG = Logger.getLogger(WorkflowResource.class);

    @Inject
    NetworkView view;

    @Inject
    KafkaPublisher publisher;

    @Inject
    SecurityIdentity identity;

    @Inject
    ObjectMapper json;

    private final Clock clock = Clock.systemUTC();
    /** The highest version this instance published per name, until the view has read it back. */
    private final Map<String, Integer> publishedHere = new ConcurrentHashMap<>();

    public record Invalid(String error, List<String> problems) {
    }

    public record Published(String name, int version, String key, Instant publishedAt, String publishedBy) {
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(operationId = "listWorkflows", summary = "The latest version of every workflow, or every version with all=true")
    @APIResponse(responseCode = "200", description = "items (name, version, publishedAt, publishedBy), count, asOf")
    @APIResponse(responseCode = "503", description = "The view of the workflows topic is still loading; see Retry-After")
    public Response list(@QueryParam("all") boolean all) {
        if (!view.loaded()) return Views.notLoaded();
        var versions = view.workflows().stream();
        if (!all) {
            versions = view.workflows().stream()
                    .collect(Collectors.toMap(WorkflowDefinition::getName, Function.identity(),
                            (a, b) -> a.getVersion() >= b.getVersion() ? a : b))
                    .values().stream();
        }
        List<Views.WorkflowSummary> items = versions
                .sorted(Comparator.comparing(WorkflowDefinition::getName).thenComparing(WorkflowDefinition::getVersion))
                .map(Views.WorkflowSummary::of).toList();
        return Response.ok(new Views.Page<>(items, view.asOf())).build();
    }

    @GET
    @Path("/{name}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(operationId = "getWorkflow", summary = "A workflow's latest version (or ?version=n), with its definition as JSON and the versions published")
    @APIResponse(responseCode = "200", description = "name, version, publishedAt, publishedBy, definition, versions, asOf")
    @APIResponse(responseCode = "404", description = "No such workflow or version")
    @APIResponse(responseCode = "503", description = "The view of the workflows topic is still loading; see Retry-After")
    public Response workflow(@PathParam("name") String name, @QueryParam("version") Integer version) {
        if (!view.loaded()) return Views.notLoaded();
        Optional<WorkflowDefinition> found = version == null ? view.latestWorkflow(name)
                : view.workflows().stream().filter(w -> w.getName().equals(name) && w.getVersion() == version).findFirst();
        if (found.isEmpty()) return Responses.notFound("workflow " + name + (version == null ? "" : " version " + version) + " is unknown");
        WorkflowDefinition w = found.get();
        ObjectNode body = json.valueToTree(Views.WorkflowSummary.of(w));
        try {
            body.set("definition", json.readTree(w.getDocument()));
        } catch (JsonProcessingException e) {
            body.put("definition", w.getDocument()); // published by something else than the validator: as it is
        }
        body.set("versions", json.valueToTree(view.workflows().stream().filter(x -> x.getName().equals(name))
                .map(WorkflowDefinition::getVersion).sorted().toList()));
        body.set("asOf", json.valueToTree(view.asOf()));
        return Response.ok(body).build();
    }

    @PUT
    @Path("/{name}")
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "text/yaml"})
    @RolesAllowed(Roles.ADMIN)
    @Operation(operationId = "publishWorkflow", summary = "Publish a new version of a workflow",
            description = "The body is a workflow definition (docs/workflow-definition.schema.json; JSON, or YAML with a YAML content "
                    + "type). It is validated as PublishWorkflows validates it, its name must be the one in the path and its version "
                    + "greater than the latest published; then it goes to the workflows topic under name@version. New bookings use it; "
                    + "shipments keep the version they started with.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT,
            description = "a workflow definition, docs/workflow-definition.schema.json"), examples = @ExampleObject(name = "definition", value = """
            {"name": "island-parcel", "version": 2, "description": "Parcels to the islands: a ferry leg",
             "selector": {"priority": 10, "customers": ["ISLAND-CO"]},
             "milestones": ["picked-up", "delivered"],
             "transitions": [
               {"from": ["BOOKED"], "on": "ARRIVED_AT_FACILITY", "to": "AT_FACILITY", "milestone": "picked-up"},
               {"from": ["AT_FACILITY"], "on": "DEPARTED_FACILITY", "to": "IN_TRANSIT"},
               {"from": ["IN_TRANSIT"], "on": "ARRIVED_AT_FACILITY", "to": "AT_FACILITY"},
               {"from": ["AT_FACILITY"], "on": "OUT_FOR_DELIVERY", "to": "OUT_FOR_DELIVERY"},
               {"from": ["OUT_FOR_DELIVERY"], "on": "DELIVERED", "to": "DELIVERED", "milestone": "delivered"},
               {"from": ["*"], "on": "CANCELLED", "to": "CANCELLED"}]}""")))
    @APIResponse(responseCode = "202", description = "Published: name, version, key, publishedAt, publishedBy")
    @APIResponse(responseCode = "400", description = "Unreadable or invalid, or the name differs from the path: every problem is listed")
    @APIResponse(responseCode = "409", description = "The version is not greater than the latest published")
    @APIResponse(responseCode = "503", description = "The view of the workflows topic is still loading, or Kafka cannot take it now; see Retry-After")
    public Response publish(@PathParam("name") String name, String body) {
        WorkflowDefinitions.Document document;
        try {
            if (body == null || body.isBlank()) throw new WorkflowDefinitions.InvalidWorkflowException(name, List.of("a workflow definition is required"));
            document = WorkflowDefinitions.read(body);
            List<String> problems = new ArrayList<>();
            if (!name.equals(document.name)) problems.add("name '" + document.name + "' must be the name in the path, '" + name + "'");
            try {
                WorkflowDefinitions.parse(document);
            } catch (WorkflowDefinitions.InvalidWorkflowException e) {
                problems.addAll(e.problems());
            }
            if (!problems.isEmpty()) throw new WorkflowDefinitions.InvalidWorkflowException(name, problems);
        } catch (WorkflowDefinitions.InvalidWorkflowException e) {
            return Response.status(Response.Status.BAD_REQUEST).entity(new Invalid("invalid workflow definition", e.problems())).build();
        }
        if (!view.loaded()) return Views.notLoaded();

        String by = Caller.subject(identity);
        synchronized (publishedHere) { // one publish at a time here, so two versions cannot both pass the check
            int latest = Math.max(view.latestWorkflow(name).map(WorkflowDefinition::getVersion).orElse(0), publishedHere.getOrDefault(name, 0));
            if (document.version <= latest) {
                return Responses.conflict("version " + document.version + " of " + name + " is not greater than the latest published, " + latest);
            }
            Instant now = clock.instant();
            String key = Workflow.key(name, document.version);
            WorkflowDefinition record = new WorkflowDefinition(name, document.version, WorkflowDefinitions.toJson(document), now, by);
            Response refused = Responses.publishing(() -> publisher.publish(WaybillTopic.WORKFLOWS, key, record), "the workflow");
            if (refused != null) return refused;
            publishedHere.put(name, document.version);
            LOG.infof("workflow %s published by %s", key, by);
            return Response.accepted(new Published(name, document.version, key, now, by)).build();
        }
    }
}
