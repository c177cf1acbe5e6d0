namespace TrainInsight.Llm.Internal.Analysis;

/// <summary>
/// One run's automatic-analysis bookkeeping, guarded by the analyzer's lock: when its recent analyses started (a sliding
/// window of an hour), whether one is in flight, and the one trigger that waits for it (a newer trigger replaces it).
/// </summary>
internal sealed class RunAnalysisSlot
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private readonly Queue<DateTimeOffset> _started = new();

    public bool InFlight { get; set; }

    public AnalysisTrigger? Pending { get; set; }

    public Task? Running { get; set; }

    public bool Idle => !InFlight && Pending is null;

    /// <summary>Takes a place in the window for an analysis starting <paramref name="now"/>, unless <paramref name="perHour"/> already started in the last hour.</summary>
    public bool TryStart(DateTimeOffset now, int perHour)
    {
        while (_started.Count > 0 && now - _started.Peek() >= Window)
        {
            _started.Dequeue();
        }

        if (_started.Count >= perHour)
        {
            return false;
        }

        _started.Enqueue(now);
        return true;
    }
}
