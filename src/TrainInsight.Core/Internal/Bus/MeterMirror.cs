using System.Diagnostics.Metrics;
using System.Reflection;

namespace TrainInsight.Internal;

/// <summary>
/// Mirrors the bus on a <see cref="Meter"/> named "TrainInsight": one observable gauge per metric name (tagged with the
/// run id) and observable counters of the bus. Observable instruments are read only when a listener collects, so
/// nothing is done per event when nobody listens.
/// </summary>
internal sealed class MeterMirror : IDisposable
{
    public const string MeterName = "TrainInsight";

    private static readonly string? s_version = typeof(MeterMirror).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private readonly Meter _meter = new(MeterName, s_version);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly List<string> _pending = [];
    private readonly Func<string, IEnumerable<Measurement<double>>> _observeMetric;

    public MeterMirror(Func<string, IEnumerable<Measurement<double>>> observeMetric, Func<BusStatistics> statistics)
    {
        _observeMetric = observeMetric;
        _meter.CreateObservableCounter("traininsight.bus.published", () => statistics().Published, "{event}", "Events accepted by TryPublish.");
        _meter.CreateObservableCounter("traininsight.bus.dispatched", () => statistics().Dispatched, "{event}", "Events dispatched to history and subscribers.");
        _meter.CreateObservableCounter("traininsight.bus.dropped", () => DroppedMeasurements(statistics()), "{event}", "Events lost, by where they were lost.");
        _meter.CreateObservableUpDownCounter("traininsight.bus.subscribers", () => statistics().Subscribers, "{subscriber}", "Current subscribers.");
    }

    /// <summary>Notes a metric name; its gauge is created by <see cref="PublishNewInstruments"/>. Dispatcher only, under its lock.</summary>
    public void OnMetricName(string name)
    {
        // Only names that make a valid OpenTelemetry instrument name (exporters reject others).
        if (_names.Add(name) && IsValidInstrumentSuffix(name))
        {
            _pending.Add(name);
        }
    }

    /// <summary>
    /// Creates the gauges of names noted since the last call. Dispatcher only, outside its lock: creating an instrument
    /// runs every listener's InstrumentPublished callback, which must not run while the bus's lock is held.
    /// </summary>
    public void PublishNewInstruments()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        foreach (var name in _pending)
        {
            _meter.CreateObservableGauge("traininsight." + name, () => _observeMetric(name), unit: null, description: $"The latest '{name}' of each run.");
        }

        _pending.Clear();
    }

    /// <summary>Gets the meter itself (tests tell this bus's instruments apart from other buses' by it).</summary>
    public Meter Meter => _meter;

    public void Dispose() => _meter.Dispose();

    private static bool IsValidInstrumentSuffix(string name) =>
        name.Length is > 0 and <= 255 - 13 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '/');

    private static IEnumerable<Measurement<long>> DroppedMeasurements(BusStatistics s) =>
    [
        new(s.DroppedAtIngest, new KeyValuePair<string, object?>("where", "ingest")),
        new(s.DroppedAtSubscribers, new KeyValuePair<string, object?>("where", "subscribers")),
        new(s.DroppedAtStore, new KeyValuePair<string, object?>("where", "store")),
    ];
}
