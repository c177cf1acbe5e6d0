using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using TrainInsight.Streaming.Rest;
using TrainInsight.Wire;

namespace TrainInsight.Streaming.Internal;

/// <summary>
/// The "traininsight" OpenAPI document: only TrainInsight's endpoints, recognized by <see cref="EndpointMarker"/>,
/// plus the helpers that describe the query parameters the handlers read themselves (to answer bad values with
/// problem+json rather than the framework's bare 400).
/// </summary>
internal static class OpenApiMetadata
{
    public const string DocumentName = "traininsight";
    public const string DocumentPath = "/openapi/" + DocumentName + ".json";
    public const string Tag = "TrainInsight";

    /// <summary>Registers the document; AddStreaming calls it once.</summary>
    public static void AddDocument(IServiceCollection services) => services.AddOpenApi(DocumentName, options =>
    {
        options.ShouldInclude = description => description.ActionDescriptor.EndpointMetadata.OfType<EndpointMarker>().Any();
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "TrainInsight",
                Version = typeof(OpenApiMetadata).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0",
                Description = "Live training telemetry: Server-Sent Events, WebSocket and REST endpoints. See docs/protocol.md.",
            };
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            // A double that may be "NaN"/"Infinity"/"-Infinity" comes out as {"type":"object","anyOf":[number, enum]},
            // which no number satisfies: the anyOf alone says it.
            if (context.JsonTypeInfo.Type == typeof(double) && schema.AnyOf is { Count: > 0 } && schema.Type == JsonSchemaType.Object)
            {
                schema.Type = null;
            }

            // The control request's action is one of the wire names the endpoint parses; anything else is a 400. (Responses
            // keep a plain string, so that clients generated from this document read actions added later.)
            if (context.JsonPropertyInfo is { Name: "action" } property && property.DeclaringType == typeof(ControlRequestModel))
            {
                schema.Enum = [.. Enum.GetValues<ControlAction>().Select(a => (JsonNode)JsonValue.Create(WireNames.Action(a)))];
            }

            return Task.CompletedTask;
        });
    });

    /// <summary>GET {prefix}/openapi/traininsight.json: the document as JSON, in the version its options ask for.</summary>
    public static async Task WriteDocumentAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var provider = services.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName);
        var version = services.GetRequiredService<IOptionsMonitor<OpenApiOptions>>().Get(DocumentName).OpenApiVersion;
        var document = await provider.GetOpenApiDocumentAsync(context.RequestAborted).ConfigureAwait(false);

        // The OpenAPI writers write synchronously; Kestrel allows only asynchronous body writes.
        using var buffer = new MemoryStream();
        await document.SerializeAsJsonAsync(buffer, version, context.RequestAborted).ConfigureAwait(false);
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Documents a query parameter the handler reads from the query string itself.</summary>
    public static TBuilder WithQueryParameter<TBuilder>(this TBuilder builder, string name, string description, OpenApiSchema schema, bool required = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithParameter(name, ParameterLocation.Query, description, schema, required);

    /// <summary>Documents the Last-Event-ID request header of the streaming endpoints.</summary>
    public static TBuilder WithHeaderParameter<TBuilder>(this TBuilder builder, string name, string description, OpenApiSchema schema)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithParameter(name, ParameterLocation.Header, description, schema);

    /// <summary>Describes the {id} route parameter.</summary>
    public static TBuilder WithRunIdParameter<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithIdPathParameter("id", "The run's id: 1 to 128 letters, digits, '-', '_' or '.'.");

    /// <summary>Describes a route parameter that is an id (a run's, a conversation's): 1 to 128 letters, digits, '-', '_' or '.'.</summary>
    public static TBuilder WithIdPathParameter<TBuilder>(this TBuilder builder, string name, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                if (parameter.In == ParameterLocation.Path && parameter.Name == name)
                {
                    parameter.Description = description;
                    parameter.Schema = IdSchema();
                }
            }

            return Task.CompletedTask;
        });

    /// <summary>The schema of a run or conversation id.</summary>
    public static OpenApiSchema IdSchema() => new() { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 128, Pattern = "^[A-Za-z0-9._-]+$" };

    /// <summary>The ?run= filter of the streaming and metrics endpoints.</summary>
    public static TBuilder WithRunQueryParameter<TBuilder>(this TBuilder builder, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithQueryParameter("run", description, new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 128, Pattern = "^[A-Za-z0-9._-]+$" });

    /// <summary>The ?names= metric filter of the streaming endpoints.</summary>
    public static TBuilder WithMetricNamesQueryParameter<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithQueryParameter(
            "names",
            $"Only metrics_update events carrying at least one of these metrics (comma-separated and/or repeated, at most {QueryParsing.MaxMetricNames}); training events, findings, proposals and assistant analyses always pass.",
            new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1 });

    /// <summary>The resume position (Last-Event-ID header, ?lastEventId=, ?after=) of the streaming endpoints.</summary>
    public static TBuilder WithResumeParameters<TBuilder>(this TBuilder builder, bool header)
        where TBuilder : IEndpointConventionBuilder
    {
        const string What = "Resume after this event id (offset): replays the newer events still held, then continues live.";
        if (header)
        {
            builder.WithHeaderParameter("Last-Event-ID", What + " Sent by EventSource when it reconnects.", Integer(0, null));
        }

        return builder
            .WithQueryParameter("lastEventId", What, Integer(0, null))
            .WithQueryParameter("after", What + " after=0 replays everything held.", Integer(0, null));
    }

    /// <summary>Documents a JSON request body the handler reads itself (Accepts metadata would make routing answer 415).</summary>
    public static TBuilder WithJsonRequestBody<TBuilder>(this TBuilder builder, Type type, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(type, null, cancellationToken).ConfigureAwait(false);
            operation.RequestBody = new OpenApiRequestBody
            {
                Description = description,
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { ["application/json"] = new() { Schema = schema } },
            };
        });

    /// <summary>
    /// Adds text/event-stream to the 200 response of an endpoint that answers JSON or a stream (two Produces for one
    /// status keep only the last).
    /// </summary>
    public static TBuilder WithEventStreamAlternative<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses?.TryGetValue("200", out var response) == true && response is OpenApiResponse ok)
            {
                ok.Content ??= new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal);
                ok.Content["text/event-stream"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            }

            return Task.CompletedTask;
        });

    public static OpenApiSchema Integer(long minimum, long? maximum) => new()
    {
        Type = JsonSchemaType.Integer,
        Format = "int64",
        Minimum = minimum.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Maximum = maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>A string that is one of <paramref name="values"/>.</summary>
    public static OpenApiSchema StringEnum(IEnumerable<string> values) => new()
    {
        Type = JsonSchemaType.String,
        Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))],
    };

    public static OpenApiSchema StringArray() => new()
    {
        Type = JsonSchemaType.Array,
        Items = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static TBuilder WithParameter<TBuilder>(
        this TBuilder builder, string name, ParameterLocation location, string description, OpenApiSchema schema, bool required = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = location,
                Description = description,
                Required = required,
                Schema = schema,
            });
            return Task.CompletedTask;
        });

    /// <summary>Marks TrainInsight's endpoints, so that the "traininsight" document includes them and nothing else.</summary>
    internal sealed class EndpointMarker
    {
        public static readonly EndpointMarker Instance = new();
    }
}
