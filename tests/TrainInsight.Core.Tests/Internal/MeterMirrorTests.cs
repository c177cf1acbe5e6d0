using System.Diagnostics.Metrics;
using TrainInsight.Internal;

namespace TrainInsight.Tests.Internal;

[CollectionDefinition(nameof(MeterMirrorTests), DisableParallelization = true)]
public sealed class MeterCollection;

/// <summary>
/// Every bus has its own "TrainInsight" meter; a listener sees them all. So that no other test's bus publishes instruments
/// meanwhile these run alone, and measurements are told apart by their <see cref="Instrument.Meter"/>: the bus's own meter.
/// </summary>
[Collection(nameof(MeterMirrorTests))]
public class MeterMirrorTests
{
    [Fact]
    public async Task RecordObservableInstruments_TwoRuns_LatestValuePerRunTaggedWithRunIdAndBusCounters()
    {
        var runA = new RunDescriptor("meter-a-" + Guid.NewGuid().ToString("N"));
        var runB = new RunDescriptor("meter-b-" + Guid.NewGuid().ToString("N"));
        using var recorder = new Recorder();
        using var bus = TelemetryBus.Create(new TrainInsightOptions { SubscriberCapacity = 1 });
        using var subscription = bus.Subscribe();

        bus.TryPublish(new MetricEvent(runA, 1, new Dictionary<string, double> { ["loss"] = 3, ["lr"] = 0.1 }));
        bus.TryPublish(new MetricEvent(runB, 1, new Dictionary<string, double> { ["loss"] = 5 }));
        bus.TryPublish(new MetricEvent(runA, 2, new Dictionary<string, double> { ["loss"] = 2 }));
        bus.TryPublish(new TrainingEvent(runA, TrainingEventKind.EpochCompleted) { Metrics = new Dictionary<string, double> { ["loss"] = 99 } });
        var meter = ((InProcessTelemetryBus)bus).Meter;
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 4, "4 events were dispatched");
        await Poll.UntilAsync(
            () => recorder.Published.Count(i => ReferenceEquals(i.Meter, meter) && i.Name is "traininsight.loss" or "traininsight.lr") == 2,
            "the gauges are created just after their first event is dispatched");

        var measurements = recorder.Collect();
        var ours = measurements.Where(m => ReferenceEquals(m.Meter, meter)).ToList();

        ours.Where(m => m.Instrument == "traininsight.loss").Select(m => (m.Tags["run_id"], m.Value))
            .Should().BeEquivalentTo([((object?)runA.Id, 2.0), (runB.Id, 5.0)], "the latest MetricEvent value per run; a training event's summary is not one");
        ours.Where(m => m.Instrument == "traininsight.lr").Select(m => (m.Tags["run_id"], m.Value))
            .Should().BeEquivalentTo([((object?)runA.Id, 0.1)], "run B never reported lr");
        Value(ours, "traininsight.bus.published").Should().Be(4);
        Value(ours, "traininsight.bus.dispatched").Should().Be(4);
        Value(ours, "traininsight.bus.subscribers").Should().Be(1);
        ours.Where(m => m.Instrument == "traininsight.bus.dropped").ToDictionary(m => (string)m.Tags["where"]!, m => m.Value)
            .Should().BeEquivalentTo(new Dictionary<string, double> { ["ingest"] = 0, ["subscribers"] = 3, ["store"] = 0 });
        meter.Name.Should().Be("TrainInsight");
    }

    [Fact]
    public async Task InstrumentPublished_BeforeAMetricNameIsSeen_OnlyTheBusCounters()
    {
        // The gauges are created just after the dispatcher counts an event as dispatched, so the test waits for the gauge
        // it expects and then checks that no other was made: the training event's summary name gets none.
        var summaryName = "summary_" + Guid.NewGuid().ToString("N");
        var name = "probe_" + Guid.NewGuid().ToString("N");
        using var recorder = new Recorder();
        using var bus = TelemetryBus.Create();
        var meter = ((InProcessTelemetryBus)bus).Meter;
        List<string> Names() => [.. recorder.Published.Where(i => ReferenceEquals(i.Meter, meter)).Select(i => i.Name)];

        Names().Should().BeEquivalentTo(
            ["traininsight.bus.published", "traininsight.bus.dispatched", "traininsight.bus.dropped", "traininsight.bus.subscribers"],
            "a new bus has only its counters");

        bus.TryPublish(new TrainingEvent(new RunDescriptor("meter-c"), TrainingEventKind.RunStarted) { Metrics = new Dictionary<string, double> { [summaryName] = 1 } });
        bus.TryPublish(new MetricEvent(new RunDescriptor("meter-c"), 1, null));
        bus.TryPublish(new MetricEvent(new RunDescriptor("meter-c"), 2, new Dictionary<string, double> { [name] = 1 }));
        await Poll.UntilAsync(() => Names().Contains("traininsight." + name), "the gauge of a name seen in a MetricEvent is created");

        Names().Should().BeEquivalentTo(
            ["traininsight.bus.published", "traininsight.bus.dispatched", "traininsight.bus.dropped", "traininsight.bus.subscribers", "traininsight." + name],
            "one gauge per metric name seen in a MetricEvent; a training event's summary makes none");
    }

    [Fact]
    public void Dispose_Bus_DisposesItsMeter()
    {
        using var recorder = new Recorder();
        var bus = TelemetryBus.Create();
        var meter = ((InProcessTelemetryBus)bus).Meter;
        var instrument = recorder.Published.Single(i => i.Name == "traininsight.bus.published" && ReferenceEquals(i.Meter, meter));

        bus.Dispose();

        recorder.Completed.Should().Contain(instrument);
    }

    private static double Value(List<Recorded> measurements, string instrument) => measurements.Single(m => m.Instrument == instrument).Value;

    private sealed record Recorded(Meter Meter, string Instrument, double Value, Dictionary<string, object?> Tags);

    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<Recorded> _measurements = [];
        private readonly List<Instrument> _published = [];
        private readonly List<Instrument> _completed = [];

        public Recorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "TrainInsight")
                {
                    lock (_published)
                    {
                        _published.Add(instrument);
                    }

                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.MeasurementsCompleted = (instrument, _) =>
            {
                lock (_completed)
                {
                    _completed.Add(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
            _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
            _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
            _listener.Start();
        }

        public List<Instrument> Published
        {
            get
            {
                lock (_published)
                {
                    return [.. _published];
                }
            }
        }

        public List<Instrument> Completed
        {
            get
            {
                lock (_completed)
                {
                    return [.. _completed];
                }
            }
        }

        public List<Recorded> Collect()
        {
            lock (_measurements)
            {
                _measurements.Clear();
            }

            _listener.RecordObservableInstruments();
            lock (_measurements)
            {
                return [.. _measurements];
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            lock (_measurements)
            {
                _measurements.Add(new Recorded(instrument.Meter, instrument.Name, value, copy));
            }
        }
    }
}
