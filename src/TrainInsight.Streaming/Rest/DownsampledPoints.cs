namespace TrainInsight.Streaming.Rest;

/// <summary>What <see cref="MetricDownsampler"/> kept of a run's points.</summary>
/// <param name="Points">The points kept, in offset order, then by name within an event.</param>
/// <param name="SourcePoints">How many points were added before downsampling.</param>
/// <param name="Downsampled">Whether any point was left out.</param>
internal sealed record DownsampledPoints(IReadOnlyList<MetricPoint> Points, long SourcePoints, bool Downsampled);
