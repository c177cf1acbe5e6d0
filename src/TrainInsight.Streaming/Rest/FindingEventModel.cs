using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>
/// A finding as GET /api/runs/{id}/findings lists it: the SSE data of its <c>finding</c> event. For the OpenAPI description
/// only: the endpoint writes the event's encoded SSE data itself (WireFormat).
/// </summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record FindingEventModel(
    [property: JsonPropertyName("timestamp"), Description("When this revision was made, in Unix seconds.")] double Timestamp,
    [property: JsonPropertyName("event_type"), Description("Always finding.")] string EventType,
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("sequence")] long Sequence,
    [property: JsonPropertyName("offset"), Description("The offset of this revision's event.")] long Offset,
    [property: JsonPropertyName("data")] FindingDataModel Data);
