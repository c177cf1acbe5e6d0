using System.Diagnostics;
using System.Globalization;

namespace TrainInsight.LoadTests.Clients;

/// <summary>
/// Publish→receive latencies of every event received by every connection, kept raw (one long each) so percentiles
/// are exact. Lock-free: each sample claims a slot with one interlocked increment.
/// </summary>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly long[] _samples = new long[capacity];
    private int _count;

    /// <summary>Gets how many samples were offered, including any beyond the capacity.</summary>
    public int Count => Volatile.Read(ref _count);

    public void Record(long stopwatchTicks)
    {
        var slot = Interlocked.Increment(ref _count) - 1;
        if (slot < _samples.Length)
        {
            _samples[slot] = stopwatchTicks;
        }
    }

    public void Reset() => Volatile.Write(ref _count, 0);

    /// <summary>p50, p90, p99, max and mean in milliseconds as key=value pairs; call once recording has stopped.</summary>
    public string Summarize()
    {
        var count = Math.Min(Count, _samples.Length);
        if (count == 0)
        {
            return "samples=0";
        }

        var sorted = _samples[..count];
        Array.Sort(sorted);
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        double Percentile(double p) => Ms(sorted[Math.Min(count - 1, (int)Math.Ceiling(p * count) - 1)]);
        var mean = 0.0;
        foreach (var sample in sorted)
        {
            mean += Ms(sample) / count;
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"samples={count} p50_ms={Percentile(0.50):F3} p90_ms={Percentile(0.90):F3} p99_ms={Percentile(0.99):F3} max_ms={Ms(sorted[^1]):F3} mean_ms={mean:F3} min_ms={Ms(sorted[0]):F3}");
    }
}
