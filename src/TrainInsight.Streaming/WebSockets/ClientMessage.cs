using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.WebSockets;

/// <summary>A message from a WebSocket client: subscribe, unsubscribe or ping (docs/protocol.md).</summary>
internal sealed class ClientMessage
{
    public string? Type { get; set; }

    public List<string>? Runs { get; set; }

    public List<string>? Metrics { get; set; }

    public string? Id { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(ClientMessage))]
internal sealed partial class ClientMessageContext : JsonSerializerContext;
