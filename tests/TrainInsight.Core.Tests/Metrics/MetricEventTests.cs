namespace TrainInsight.Tests.Metrics;

public class MetricEventTests
{
    private static readonly RunDescriptor s_run = new("run-a");

    [Fact]
    public void Constructor_Values_KeepsThemAndIsNotYetDispatched()
    {
        var timestamp = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var values = new Dictionary<string, double> { [MetricNames.TrainLoss] = double.NaN };

        var e = new MetricEvent(s_run, 7, values, timestamp) { Epoch = 2, Batch = 3 };

        e.Run.Should().BeSameAs(s_run);
        e.RunId.Should().Be("run-a");
        e.Step.Should().Be(7);
        e.Values.Should().BeSameAs(values);
        e.Timestamp.Should().Be(timestamp);
        e.Sequence.Should().Be(0);
        e.Offset.Should().Be(0);
    }

    [Fact]
    public void Constructor_NullValues_UsesEmpty()
    {
        new MetricEvent(s_run, 0, values: null).Values.Should().BeEmpty();
    }

    [Fact]
    public void Constructor_NegativeStep_ThrowsArgumentOutOfRangeException()
    {
        var create = () => new MetricEvent(s_run, -1, values: null);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Constructor_NullRun_ThrowsArgumentNullException()
    {
        var create = () => new MetricEvent(null!, 0, values: null);

        create.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void TrainingEvent_UnknownKind_ThrowsArgumentOutOfRangeException()
    {
        var create = () => new TrainingEvent(s_run, (TrainingEventKind)99);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void TrainingEvent_Defaults_MetricsEmptyAndNothingElseSet()
    {
        var e = new TrainingEvent(s_run, TrainingEventKind.RunStarted);

        e.Metrics.Should().BeEmpty();
        e.State.Should().BeNull();
        e.Step.Should().BeNull();
        e.Command.Should().BeNull();
    }
}
