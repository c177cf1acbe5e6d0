using TrainInsight.Diagnostics.Tests.Infrastructure;

namespace TrainInsight.Diagnostics.Tests.Engine;

public class DiagnosisEngineTests
{
    [Fact]
    public async Task Start_NaNLossOnTheBus_PublishesAFindingThatIsStored()
    {
        var store = new InMemoryMetricStore();
        await using var bus = TelemetryBus.Create(new TrainInsightOptions { StoreFlushInterval = TimeSpan.FromMilliseconds(20) }, store);
        await using var engine = new DiagnosisEngine(bus);
        engine.Start();
        var run = new RunDescriptor("run-a");
        for (var i = 0; i < 5; i++)
        {
            bus.TryPublish(new MetricEvent(run, i + 1, Synthetic.Healthy(i)));
        }

        bus.TryPublish(new MetricEvent(run, 6, Synthetic.HealthyWith(5, (MetricNames.TrainLoss, double.NaN))));

        await Poll.UntilAsync(() => bus.GetHistory().OfType<FindingEvent>().Any(), "the finding reached the bus");
        var published = bus.GetHistory().OfType<FindingEvent>().Single();
        published.Label.Should().Be(FindingLabels.Divergence);
        published.RunId.Should().Be("run-a");
        published.Offset.Should().BeGreaterThan(6, "the finding follows the event that caused it");
        engine.GetFindings("run-a").Should().ContainSingle().Which.FindingId.Should().Be(published.FindingId);
        await Poll.UntilAsync(() => store.GetFindingsAsync(new FindingQuery("run-a")).Result.Count == 1, "the store has the finding");
        engine.EventsProcessed.Should().BeGreaterThanOrEqualTo(6);
        engine.FindingsPublished.Should().Be(1);
        engine.Errors.Should().Be(0);
    }

    [Fact]
    public async Task Start_ManyRunsPublishingConcurrently_EachBrokenRunGetsOneFinding()
    {
        await using var bus = TelemetryBus.Create();
        await using var engine = new DiagnosisEngine(bus);
        engine.Start();
        var tasks = Enumerable.Range(0, 8).Select(r => Task.Run(() =>
        {
            var run = new RunDescriptor($"run-{r}");
            for (var i = 0; i < 200; i++)
            {
                var values = r % 2 == 0 && i >= 100 ? Synthetic.HealthyWith(i, (MetricNames.TrainLoss, double.PositiveInfinity)) : Synthetic.Healthy(i, seed: r + 1);
                bus.TryPublish(new MetricEvent(run, i + 1, values));
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        await Poll.UntilAsync(() => engine.EventsProcessed >= 1_600, "the engine diagnosed every event");
        await Poll.UntilAsync(() => bus.GetHistory().OfType<FindingEvent>().Count() >= 4, "the findings reached the bus");
        var findings = bus.GetHistory().OfType<FindingEvent>().ToList();
        findings.Where(f => f.Severity >= FindingSeverity.Warning).Select(f => f.RunId).Should().BeEquivalentTo(["run-0", "run-2", "run-4", "run-6"]);
        engine.EventsMissed.Should().Be(0);
    }

    [Fact]
    public async Task DisposeAsync_StopsDiagnosing()
    {
        await using var bus = TelemetryBus.Create();
        var engine = new DiagnosisEngine(bus);
        engine.Start();
        await engine.DisposeAsync();
        await using var live = new DiagnosisEngine(bus);
        live.Start();

        bus.TryPublish(new MetricEvent(new RunDescriptor("a"), 1, new Dictionary<string, double> { [MetricNames.TrainLoss] = double.NaN }));

        // A live engine on the same bus diagnoses the event: by then the disposed one would have too.
        await Poll.UntilAsync(() => live.EventsProcessed == 1, "the live engine diagnosed the event");

        engine.EventsProcessed.Should().Be(0);
        var act = engine.Start;
        act.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Ctor_NullBus_Throws()
    {
        var act = () => new DiagnosisEngine(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("bus");
    }
}
