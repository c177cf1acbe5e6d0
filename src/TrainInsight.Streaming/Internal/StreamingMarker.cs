namespace TrainInsight.Streaming.Internal;

/// <summary>Registered by AddStreaming so that MapTrainInsight can tell whether it was called.</summary>
internal sealed class StreamingMarker;
