using static TrainInsight.Tests.TestEvents;

namespace TrainInsight.Tests.Bus;

/// <summary>The bus's lost-run check: silent unfinished runs are reported lost once, and come back with their events.</summary>
public class TelemetryBusLostRunTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMilliseconds(300);

    private static TrainInsightOptions Options() => new() { LostRunTimeout = s_timeout, StoreFlushInterval = TimeSpan.FromMilliseconds(10) };

    [Fact]
    public async Task LostRunTimeout_TrainingRunFallsSilent_OneLostEventThenBackToTrainingWhenEventsResume()
    {
        var run = new RunDescriptor("remote-run");
        using var bus = TelemetryBus.Create(Options());
        using var subscription = bus.Subscribe();
        bus.TryPublish(new TrainingEvent(run, TrainingEventKind.RunStarted) { State = RunState.Training, Step = 0 });
        bus.TryPublish(Metric(run, 41));

        var lost = (await ReadUntilAsync(subscription, e => e is TrainingEvent { Kind: TrainingEventKind.RunLost })).OfType<TrainingEvent>().Last();

        lost.State.Should().Be(RunState.Lost);
        lost.Step.Should().Be(41);
        lost.Message.Should().MatchRegex(@"^No event for (\d+ ms|\d+ seconds?) \(its last event was at step 41\): its trainer may have crashed, been killed or lost its connection\. The run returns to training if its events resume\.$");
        bus.GetCurrent(run.Id)!.State.Should().Be(RunState.Lost);

        // Several more checks pass while it stays silent: it is reported once per silence, not once per check.
        await Task.Delay(s_timeout * 3);
        DrainNow(subscription).Should().BeEmpty();

        bus.TryPublish(Metric(run, 42));
        await Poll.UntilAsync(() => bus.GetCurrent(run.Id)?.Step == 42, "the resumed event was dispatched");
        bus.GetCurrent(run.Id)!.State.Should().Be(RunState.Training, "a lost run comes back to life with its next event");

        // A second silence is a second episode.
        (await ReadUntilAsync(subscription, e => e is TrainingEvent { Kind: TrainingEventKind.RunLost })).OfType<TrainingEvent>()
            .Count(e => e.Kind == TrainingEventKind.RunLost).Should().Be(1);
    }

    [Fact]
    public async Task LostRunTimeout_FindingAfterTheRunWentSilent_NeitherRevivesItNorDelaysTheNotice()
    {
        var run = new RunDescriptor("diagnosed-run");
        using var bus = TelemetryBus.Create(Options());
        using var subscription = bus.Subscribe();
        bus.TryPublish(new TrainingEvent(run, TrainingEventKind.RunStarted) { State = RunState.Training, Step = 0 });
        bus.TryPublish(Metric(run, 7));

        // The diagnosis keeps publishing about the run while its trainer is silent.
        using var diagnosis = new Timer(
            _ => bus.TryPublish(new FindingEvent(run, "diagnosed-run/plateau/1", FindingLabels.Plateau, FindingSeverity.Warning, FindingState.Open, "flat")),
            null,
            TimeSpan.Zero,
            s_timeout / 4);
        await ReadUntilAsync(subscription, e => e is TrainingEvent { Kind: TrainingEventKind.RunLost });
        bus.TryPublish(new FindingEvent(run, "diagnosed-run/plateau/1", FindingLabels.Plateau, FindingSeverity.Warning, FindingState.Resolved, "resolved") { Revision = 2 });
        await ReadUntilAsync(subscription, e => e is FindingEvent { State: FindingState.Resolved });

        bus.GetCurrent(run.Id)!.State.Should().Be(RunState.Lost);
    }

    [Fact]
    public async Task LostRunTimeout_RunAttachedToControl_NeverReportedHoweverLongItIsSilent()
    {
        var control = TrainingControl.Create();
        using var bus = TelemetryBus.Create(Options(), store: null, control);
        var attached = new RunDescriptor("local-run");
        var other = new RunDescriptor("other-run");
        using var receiver = control.Attach(attached.Id);
        using var subscription = bus.Subscribe();
        bus.TryPublish(new TrainingEvent(attached, TrainingEventKind.ControlApplied) { State = RunState.Paused });
        bus.TryPublish(Metric(other, 1));

        // The unattached run is reported: by then the attached one has been silent as long, and was checked as often.
        var events = await ReadUntilAsync(subscription, e => e is TrainingEvent { Kind: TrainingEventKind.RunLost });
        await Task.Delay(s_timeout * 2);
        events.AddRange(DrainNow(subscription));

        events.OfType<TrainingEvent>().Where(e => e.Kind == TrainingEventKind.RunLost).Select(e => e.RunId).Should().Equal("other-run");
        bus.GetCurrent(attached.Id)!.State.Should().Be(RunState.Paused);
    }

    [Theory]
    [InlineData(RunState.Completed)]
    [InlineData(RunState.Stopped)]
    [InlineData(RunState.Failed)]
    public async Task LostRunTimeout_FinishedRun_NeverReported(RunState finished)
    {
        var run = new RunDescriptor("finished-run");
        var witness = new RunDescriptor("witness-run");
        using var bus = TelemetryBus.Create(Options());
        using var subscription = bus.Subscribe();
        bus.TryPublish(new TrainingEvent(run, TrainingEventKind.RunFinished) { State = finished });
        bus.TryPublish(Metric(witness, 1));

        var events = await ReadUntilAsync(subscription, e => e is TrainingEvent { Kind: TrainingEventKind.RunLost });

        events.OfType<TrainingEvent>().Where(e => e.Kind == TrainingEventKind.RunLost).Select(e => e.RunId).Should().Equal("witness-run");
        bus.GetCurrent(run.Id)!.State.Should().Be(finished);
    }

    [Fact]
    public async Task LostRunTimeout_UnfinishedRunInStoreFromBeforeRestart_ReportedAndStoredAsLost()
    {
        var store = new InMemoryMetricStore();
        var run = new RunDescriptor("killed-run");
        await using (var first = TelemetryBus.Create(new TrainInsightOptions { LostRunTimeout = null, StoreFlushInterval = TimeSpan.FromMilliseconds(10) }, store))
        {
            first.TryPublish(new TrainingEvent(run, TrainingEventKind.RunStarted) { State = RunState.Training, Step = 0 });
            first.TryPublish(Metric(run, 7));
        }

        (await store.GetRunAsync(run.Id))!.State.Should().Be(RunState.Training, "the process was killed before the run finished");

        using var restarted = TelemetryBus.Create(Options(), store);
        using var subscription = restarted.Subscribe();
        var lost = (await ReadUntilAsync(subscription, e => e is TrainingEvent { Kind: TrainingEventKind.RunLost })).OfType<TrainingEvent>().Last();

        lost.RunId.Should().Be(run.Id);
        lost.Sequence.Should().Be(3, "the run's numbering continues from the store");
        lost.Step.Should().Be(7);
        lost.Message.Should().Contain("and none since this host restarted");
        await Poll.UntilAsync(() => store.GetRunAsync(run.Id).Result!.State == RunState.Lost, "the store holds the run as lost");
    }

    [Fact]
    public async Task LostRunTimeout_Null_SilentRunStaysTraining()
    {
        var run = new RunDescriptor("quiet-run");
        var options = Options();
        options.LostRunTimeout = null;
        using var bus = TelemetryBus.Create(options);
        bus.TryPublish(Metric(run, 1));
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 1, "the event was dispatched");

        await Task.Delay(s_timeout * 3);

        bus.GetStatistics().Dispatched.Should().Be(1, "no lost notice was published");
        bus.GetCurrent(run.Id)!.State.Should().Be(RunState.Training);
    }

    [Fact]
    public void LostRunTimeout_OutOfRange_ThrowsNamingTheRange()
    {
        var options = new TrainInsightOptions();

        options.LostRunTimeout.Should().Be(TimeSpan.FromMinutes(10));
        FluentActions.Invoking(() => options.LostRunTimeout = TimeSpan.FromMilliseconds(99)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("LostRunTimeout must be null or between 100 ms and 30 days.*").Which.ParamName.Should().Be("LostRunTimeout");
        FluentActions.Invoking(() => options.LostRunTimeout = TimeSpan.FromDays(31)).Should().Throw<ArgumentOutOfRangeException>();
        options.LostRunTimeout = null;
        options.LostRunTimeout.Should().BeNull();
    }

    /// <summary>Reads until an event matches, failing after the shared patience.</summary>
    private static async Task<List<TrainInsightEvent>> ReadUntilAsync(ITelemetrySubscription subscription, Func<TrainInsightEvent, bool> match)
    {
        using var cts = new CancellationTokenSource(Patience);
        var events = new List<TrainInsightEvent>();
        while (true)
        {
            var item = await subscription.Reader.ReadAsync(cts.Token);
            events.Add(item);
            if (match(item))
            {
                return events;
            }
        }
    }
}
