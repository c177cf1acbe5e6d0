using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.Streaming.Serialization;
using TrainInsight.Streaming.Tests.Infrastructure;
using TrainInsight.Wire;

namespace TrainInsight.Streaming.Tests.Internal;

public sealed class OpenApiMetadataTests
{
    private const string DocumentPath = "openapi/traininsight.json";

    // Every TrainInsight operation: path, method, and the status codes it documents.
    public static readonly TheoryData<string, string, string[]> Operations = new()
    {
        { "/api/stream/metrics", "get", ["200", "400"] },
        { "/ws/metrics", "get", ["101", "400", "500"] },
        { "/api/metrics/current", "get", ["200", "400", "404"] },
        { "/api/metrics/history", "get", ["200", "400"] },
        { "/api/training/control", "post", ["202", "400", "404", "409", "413", "415", "429"] },
        { "/api/ingest", "post", ["200", "202", "400", "413", "415", "503"] },
        { "/api/runs", "get", ["200", "400"] },
        { "/api/runs/{id}", "get", ["200", "400", "404"] },
        { "/api/runs/{id}/metrics", "get", ["200", "400", "404"] },
        { "/api/runs/{id}/commands", "get", ["200", "400", "404"] },
        { "/api/runs/{id}/findings", "get", ["200", "400", "404"] },
    };

    [Fact]
    public async Task Document_Default_IsOpenApi3JsonWithExactlyTheTrainInsightPaths()
    {
        await using var server = await StreamingTestServer.StartAsync();

        var document = await GetDocumentAsync(server, DocumentPath);

        document.GetProperty("openapi").GetString().Should().StartWith("3.");
        document.GetProperty("info").GetProperty("title").GetString().Should().Be("TrainInsight");
        document.GetProperty("paths").EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(Operations.Select(o => (string)o[0]));
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Document_EachOperation_HasMethodNameSummaryTagAndStatusCodes(string path, string method, string[] statusCodes)
    {
        await using var server = await StreamingTestServer.StartAsync();

        var document = await GetDocumentAsync(server, DocumentPath);

        var operations = document.GetProperty("paths").GetProperty(path);
        operations.EnumerateObject().Select(p => p.Name).Should().Equal(method);
        var operation = operations.GetProperty(method);
        operation.GetProperty("operationId").GetString().Should().StartWith("TrainInsight.");
        operation.GetProperty("summary").GetString().Should().NotBeNullOrWhiteSpace();
        operation.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).Should().Equal("TrainInsight");
        operation.GetProperty("responses").EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(statusCodes);
        foreach (var response in operation.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
        {
            response.Value.GetProperty("content").EnumerateObject().Select(c => c.Name).Should().Equal("application/problem+json");
        }
    }

    [Fact]
    public async Task Document_StreamingEndpoints_DescribeContentTypeAndResumeParameters()
    {
        await using var server = await StreamingTestServer.StartAsync();

        var document = await GetDocumentAsync(server, DocumentPath);

        var sse = document.GetProperty("paths").GetProperty("/api/stream/metrics").GetProperty("get");
        sse.GetProperty("responses").GetProperty("200").GetProperty("content").EnumerateObject().Select(c => c.Name).Should().Equal("text/event-stream");
        Parameters(sse).Should().BeEquivalentTo(["header:Last-Event-ID", "query:lastEventId", "query:after", "query:run", "query:names"]);
        var ws = document.GetProperty("paths").GetProperty("/ws/metrics").GetProperty("get");
        ws.GetProperty("description").GetString().Should().Contain("WebSocket");
        Parameters(ws).Should().BeEquivalentTo(["query:lastEventId", "query:after", "query:run", "query:names"]);
    }

    [Fact]
    public async Task Document_RunEndpoints_DescribeParametersAndResponseSchemas()
    {
        await using var server = await StreamingTestServer.StartAsync();

        var document = await GetDocumentAsync(server, DocumentPath);

        var metrics = document.GetProperty("paths").GetProperty("/api/runs/{id}/metrics").GetProperty("get");
        Parameters(metrics).Should().BeEquivalentTo(["path:id", "query:names", "query:since", "query:limit", "query:max_points"]);
        var maxPoints = metrics.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "max_points");
        maxPoints.GetProperty("description").GetString().Should().Contain("2 to 100,000").And.Contain("Cannot be combined with limit");
        maxPoints.GetProperty("schema").GetProperty("minimum").GetInt32().Should().Be(2);
        maxPoints.GetProperty("schema").GetProperty("maximum").GetInt32().Should().Be(100_000);
        var limit = metrics.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "limit");
        limit.GetProperty("description").GetString().Should().Contain("1 to 100,000");
        limit.GetProperty("schema").GetProperty("maximum").GetInt32().Should().Be(100_000);
        var id = metrics.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "id");
        id.GetProperty("required").GetBoolean().Should().BeTrue();
        id.GetProperty("description").GetString().Should().NotBeNullOrWhiteSpace();

        var schemas = document.GetProperty("components").GetProperty("schemas");
        Properties(schemas, "RunSummary").Should().Contain(["id", "name", "model_name", "state", "live", "last_offset", "metric_names"]);
        Properties(schemas, "RunDetail").Should().Contain(["id", "state", "live", "latest"]);
        Properties(schemas, "MetricPointsResponse").Should().BeEquivalentTo(["run_id", "points", "next_since", "downsampled", "source_points"]);
        Properties(schemas, "MetricPointModel").Should().BeEquivalentTo(["name", "step", "value", "timestamp", "sequence", "offset"]);
        Properties(schemas, "CommandRecordModel").Should().Contain(["command_id", "action", "value", "status", "issued_at", "handled_at", "offset"]);
        schemas.GetProperty("MetricPointModel").GetProperty("properties").GetProperty("step").GetProperty("type").GetString().Should().Be("integer");

        // A metric value is a number or one of the non-finite strings.
        var value = schemas.GetProperty("MetricPointModel").GetProperty("properties").GetProperty("value");
        value.TryGetProperty("type", out _).Should().BeFalse();
        value.GetProperty("anyOf").EnumerateArray().Select(s => JsonSerializer.Serialize(s)).Should().Equal(
            """{"type":"number"}""", """{"enum":["NaN","Infinity","-Infinity"]}""");
        var latest = schemas.GetProperty("LatestValues").GetProperty("properties").GetProperty("values").GetProperty("additionalProperties");
        latest.TryGetProperty("type", out _).Should().BeFalse();

        var control = document.GetProperty("paths").GetProperty("/api/training/control").GetProperty("post");
        var body = control.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        body.GetProperty("properties").EnumerateObject().Select(p => p.Name).Should().Equal("action", "value", "path", "run_id");
        body.GetProperty("required").EnumerateArray().Select(r => r.GetString()).Should().Equal("action");
    }

    [Fact]
    public async Task Document_FindingsEndpoint_DescribesParametersAndTheSchemaOfWhatItSends()
    {
        await using var server = await StreamingTestServer.StartAsync(configureBus: o => o.StoreFlushInterval = TimeSpan.FromMilliseconds(20));
        var finding = TestEvents.Finding(TestEvents.Run("run-a"));
        await server.PublishAsync(finding);
        await server.WaitForStoreAsync(finding);

        var document = await GetDocumentAsync(server, DocumentPath);
        var sent = await GetDocumentAsync(server, "api/runs/run-a/findings");

        var operation = document.GetProperty("paths").GetProperty("/api/runs/{id}/findings").GetProperty("get");
        operation.GetProperty("operationId").GetString().Should().Be("TrainInsight.GetRunFindings");
        Parameters(operation).Should().BeEquivalentTo(["path:id", "query:state", "query:severity", "query:limit"]);
        Parameter(operation, "state").GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).Should().Equal("open", "resolved");
        Parameter(operation, "severity").GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).Should().Equal("info", "warning", "critical");
        Parameter(operation, "severity").GetProperty("description").GetString().Should().Contain("at least");
        Parameter(operation, "limit").GetProperty("schema").GetProperty("maximum").GetInt32().Should().Be(10_000);
        operation.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()
            .Should().EndWith("/FindingListResponse");

        // The schemas name exactly what the endpoint (and the streams) send; only optional members may be absent.
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var list = sent;
        var item = list.GetProperty("findings")[0];
        var data = item.GetProperty("data");
        Properties(schemas, "FindingListResponse").Should().Equal(Names(list));
        Properties(schemas, "FindingEventModel").Should().Equal(Names(item));
        Properties(schemas, "FindingDataModel").Should().Equal(Names(data));
        Properties(schemas, "FindingEvidenceModel").Should().Equal(Names(data.GetProperty("evidence")[0]));
        Properties(schemas, "SuggestedFixModel").Should().Equal(Names(data.GetProperty("fixes")[0]));
        // "path" is sent only with restore_checkpoint, which no finding's fix holds here.
        Properties(schemas, "FixCommandModel").Should().Equal([.. Names(data.GetProperty("fixes")[0].GetProperty("commands")[0]), "path"]);
        var evidenceValue = schemas.GetProperty("FindingEvidenceModel").GetProperty("properties").GetProperty("value");
        evidenceValue.GetProperty("anyOf").EnumerateArray().Select(s => JsonSerializer.Serialize(s)).Should().Equal(
            """{"type":"number"}""", """{"enum":["NaN","Infinity","-Infinity"]}""");
        schemas.GetProperty("FindingDataModel").GetProperty("properties").GetProperty("revision").GetProperty("type").GetString().Should().Be("integer");
        schemas.GetProperty("FindingDataModel").GetProperty("properties").GetProperty("severity").GetProperty("description").GetString().Should().Be("info, warning or critical.");
    }

    [Fact]
    public async Task Document_ControlActions_AreEnumeratedInTheRequestAndNamedInEveryDescription()
    {
        await using var server = await StreamingTestServer.StartAsync();
        var names = Enum.GetValues<ControlAction>().Select(WireNames.Action).ToList();

        var document = await GetDocumentAsync(server, DocumentPath);

        var control = document.GetProperty("paths").GetProperty("/api/training/control").GetProperty("post");
        var body = control.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var action = body.GetProperty("properties").GetProperty("action");
        action.GetProperty("enum").EnumerateArray().Select(e => e.GetString()).Should().Equal(names);
        action.GetProperty("description").GetString().Should().ContainAll(names);
        body.GetProperty("properties").GetProperty("value").GetProperty("description").GetString()
            .Should().ContainAll(names.Where(n => WireNames.TryParseAction(n, out var a) && WireFormat.ActionTakesValue(a)));
        var record = document.GetProperty("components").GetProperty("schemas").GetProperty("CommandRecordModel").GetProperty("properties");
        record.GetProperty("action").GetProperty("description").GetString().Should().ContainAll(names);
        record.GetProperty("action").TryGetProperty("enum", out _).Should().BeFalse("responses stay open to actions added later");
        record.GetProperty("value").GetProperty("description").GetString().Should().Contain("set_early_stopping");
        record.GetProperty("message").GetProperty("description").GetString().Should().Contain("save_checkpoint").And.Contain("evaluate");
    }

    [Fact]
    public async Task Document_HostEndpointsAndHostDocument_StaySeparate()
    {
        await using var server = await StreamingTestServer.StartAsync(
            configureServices: services => services.AddOpenApi(),
            configureApp: app =>
            {
                app.MapGet("/host/hello", () => "hello").WithName("Hello");
                app.MapOpenApi();
            });

        var ours = await GetDocumentAsync(server, DocumentPath);
        var host = await GetDocumentAsync(server, "openapi/v1.json");

        ours.GetProperty("paths").TryGetProperty("/host/hello", out _).Should().BeFalse();
        host.GetProperty("paths").TryGetProperty("/host/hello", out _).Should().BeTrue();
        host.GetProperty("paths").TryGetProperty("/api/runs", out _).Should().BeTrue("the host's own document lists every endpoint unless it filters");
    }

    [Fact]
    public async Task Document_Prefix_IsServedUnderItWithPrefixedPaths()
    {
        await using var server = await StreamingTestServer.StartAsync(prefix: "/ti");

        var document = await GetDocumentAsync(server, "ti/" + DocumentPath);
        using var unprefixed = await server.Client.GetAsync(DocumentPath);

        document.GetProperty("paths").EnumerateObject().Select(p => p.Name).Should().Contain("/ti/api/runs").And.OnlyContain(p => p.StartsWith("/ti/"));
        unprefixed.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Document_MapOpenApiDocumentOff_IsNotMapped()
    {
        await using var server = await StreamingTestServer.StartAsync(o => o.MapOpenApiDocument = false);

        using var response = await server.Client.GetAsync(DocumentPath);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private static IEnumerable<string> Parameters(JsonElement operation) =>
        operation.GetProperty("parameters").EnumerateArray().Select(p => $"{p.GetProperty("in").GetString()}:{p.GetProperty("name").GetString()}");

    private static JsonElement Parameter(JsonElement operation, string name) =>
        operation.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    private static IEnumerable<string> Properties(JsonElement schemas, string name) =>
        schemas.GetProperty(name).GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();

    private static async Task<JsonElement> GetDocumentAsync(StreamingTestServer server, string path)
    {
        using var response = await server.Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
