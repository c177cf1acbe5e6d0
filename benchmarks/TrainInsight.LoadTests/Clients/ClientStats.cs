namespace TrainInsight.LoadTests.Clients;

/// <summary>Counters shared by every connection of the load generator.</summary>
internal sealed class ClientStats(int latencyCapacity)
{
    private long _events;
    private long _gaps;
    private long _withoutTimestamp;
    private int _open;
    private int _failed;
    private int _closed;
    private string? _firstError;

    public LatencyRecorder Latencies { get; } = new(latencyCapacity);

    public long Events => Interlocked.Read(ref _events);

    /// <summary>Gets how many times a connection saw an event id that was not the previous id + 1.</summary>
    public long Gaps => Interlocked.Read(ref _gaps);

    public long WithoutTimestamp => Interlocked.Read(ref _withoutTimestamp);

    public int Open => Volatile.Read(ref _open);

    public int Failed => Volatile.Read(ref _failed);

    /// <summary>Gets how many connections that had opened later ended or broke.</summary>
    public int Closed => Volatile.Read(ref _closed);

    public string? FirstError => Volatile.Read(ref _firstError);

    public void OnEvent(long receivedTimestamp, long publishTimestamp, bool gap)
    {
        Interlocked.Increment(ref _events);
        if (gap)
        {
            Interlocked.Increment(ref _gaps);
        }

        if (publishTimestamp < 0)
        {
            Interlocked.Increment(ref _withoutTimestamp);
            return;
        }

        Latencies.Record(receivedTimestamp - publishTimestamp);
    }

    public void OnOpened() => Interlocked.Increment(ref _open);

    public void OnFailed(bool wasOpen, string error)
    {
        Interlocked.Increment(ref wasOpen ? ref _closed : ref _failed);
        Interlocked.CompareExchange(ref _firstError, error, null);
    }

    /// <summary>Starts a measurement window: event counters and latencies restart from zero.</summary>
    public void ResetEvents()
    {
        Interlocked.Exchange(ref _events, 0);
        Interlocked.Exchange(ref _gaps, 0);
        Interlocked.Exchange(ref _withoutTimestamp, 0);
        Latencies.Reset();
    }
}
