namespace TrainInsight.Mcp.Internal;

/// <summary>Registered by AddMcp so that MapTrainInsightMcp can tell whether it was called.</summary>
internal sealed class McpMarker;
