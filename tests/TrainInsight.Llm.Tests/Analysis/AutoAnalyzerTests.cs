using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Analysis;

public class AutoAnalyzerTests
{
    [Fact]
    public async Task Start_EpochEnds_PublishesAnalysesUpToTheHourlyLimitThenSkipsUntilTheWindowSlides()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(10), epoch: 1).SettledAsync();
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var options = new LlmOptions { AutoAnalysis = true, AutoAnalysesPerHour = 2 };
        await using var analyzer = new AutoAnalyzer(fixture.Bus, fixture.Assistant(), options, timeProvider: time);
        analyzer.Start();

        await EpochAsync(fixture, analyzer, 1);
        await Poll.UntilAsync(() => analyzer.Analyses == 1, "the first epoch was analysed");
        await EpochAsync(fixture, analyzer, 2);
        await Poll.UntilAsync(() => analyzer.Analyses == 2, "the second epoch was analysed");
        await EpochAsync(fixture, analyzer, 3);
        await Poll.UntilAsync(() => analyzer.Skipped == 1, "the third epoch was over the limit");
        time.Advance(TimeSpan.FromMinutes(61));
        await EpochAsync(fixture, analyzer, 4);
        await Poll.UntilAsync(() => analyzer.Analyses == 3, "the window slid");

        var published = fixture.Bus.GetHistory().OfType<AssistantAnalysisEvent>().ToList();
        published.Select(e => e.Epoch).Should().Equal(1, 2, 4);
        var first = published[0];
        first.RunId.Should().Be(fixture.Run.Id);
        first.Trigger.Should().Be(AutoAnalyzer.EpochTrigger);
        first.Source.Should().Be(AssistantSource.Rules);
        first.Text.Should().StartWith("Run \"Test run\" (SmallCnn) is training at step 10, epoch 1 of 10.");
        first.Language.Should().Be("en");
        first.Notice.Should().Be("No IChatClient is registered, so this answer comes from the diagnosis's rules.");
        first.Step.Should().Be(10);
        first.FindingId.Should().BeNull();
        analyzer.Skipped.Should().Be(1);
        analyzer.Failures.Should().Be(0);
    }

    [Fact]
    public async Task Start_Findings_OnlyNewWarningOrWorseOpenOnesTrigger()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(5)).SettledAsync();
        await using var analyzer = new AutoAnalyzer(fixture.Bus, fixture.Assistant(), new LlmOptions { AutoAnalysis = true });
        analyzer.Start();

        fixture.Run.Event(Finding(fixture, "f-info", FindingSeverity.Info, 1))
            .Event(Finding(fixture, "f-update", FindingSeverity.Critical, 2))
            .Event(Finding(fixture, "f-warn", FindingSeverity.Warning, 1));
        await Poll.UntilAsync(() => analyzer.Analyses == 1, "the warning was analysed");

        analyzer.Triggers.Should().Be(1);
        var analysis = fixture.Bus.GetHistory().OfType<AssistantAnalysisEvent>().Should().ContainSingle().Subject;
        analysis.Trigger.Should().Be(AutoAnalyzer.FindingTrigger);
        analysis.FindingId.Should().Be("f-warn");
        analysis.Step.Should().Be(5);
        analysis.ProposalIds.Should().BeEmpty();
    }

    [Fact]
    public async Task Start_TriggersWhileOneIsInFlight_OneWaitsTheRestAreSkipped()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(5)).SettledAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var assistant = new FakeAssistant(async (r, ct) =>
        {
            Interlocked.Increment(ref calls);
            await gate.Task.WaitAsync(ct);
            return Answer(r.RunId, "analysis " + calls);
        });
        await using var analyzer = new AutoAnalyzer(fixture.Bus, assistant, new LlmOptions { AutoAnalysis = true, AutoAnalysesPerHour = 10 });
        analyzer.Start();

        await EpochAsync(fixture, analyzer, 1);
        await Poll.UntilAsync(() => Volatile.Read(ref calls) == 1, "the first analysis started");
        await EpochAsync(fixture, analyzer, 2);
        await EpochAsync(fixture, analyzer, 3);
        await EpochAsync(fixture, analyzer, 4);
        Volatile.Read(ref calls).Should().Be(1, "one analysis per run is in flight");
        analyzer.Skipped.Should().Be(2, "epoch 3 replaced epoch 2, and epoch 4 replaced epoch 3");
        gate.SetResult();
        await Poll.UntilAsync(() => analyzer.Analyses == 2, "the waiting trigger ran");

        fixture.Bus.GetHistory().OfType<AssistantAnalysisEvent>().Select(e => e.Epoch).Should().Equal(1, 4);
    }

    [Fact]
    public async Task Start_AnalysisThrows_CountedAndTheNextStillRuns()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(5)).SettledAsync();
        var calls = 0;
        var assistant = new FakeAssistant((r, _) => Interlocked.Increment(ref calls) == 1
            ? throw new InvalidOperationException("store down")
            : Task.FromResult(Answer(r.RunId, "fine")));
        await using var analyzer = new AutoAnalyzer(fixture.Bus, assistant, new LlmOptions { AutoAnalysis = true });
        analyzer.Start();

        await EpochAsync(fixture, analyzer, 1);
        await Poll.UntilAsync(() => analyzer.Failures == 1, "the failure was counted");
        await EpochAsync(fixture, analyzer, 2);
        await Poll.UntilAsync(() => analyzer.Analyses == 1, "the next epoch was analysed");
    }

    [Fact]
    public async Task AddLlm_AutoAnalysisOn_HostedServiceStartsTheAnalyzer()
    {
        var services = new ServiceCollection();
        services.AddTrainInsight().AddLlm(o => o.AutoAnalysis = true);
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        var analyzer = provider.GetRequiredService<AutoAnalyzer>();
        var run = await new TestRun(bus: provider.GetRequiredService<ITelemetryBus>()).Losses([1.0, 0.5]).Epoch(1, 0.5, null).SettledAsync();

        await Poll.UntilAsync(() => analyzer.Analyses == 1, "the epoch was analysed");
        provider.GetRequiredService<ITelemetryBus>().GetHistory().OfType<AssistantAnalysisEvent>().Should().ContainSingle().Which.RunId.Should().Be(run.Id);
        foreach (var hosted in provider.GetServices<IHostedService>().Reverse())
        {
            await hosted.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(61)]
    public void AutoAnalysesPerHour_OutOfRange_Throws(int value)
    {
        var act = () => new LlmOptions().AutoAnalysesPerHour = value;

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void LlmOptions_Defaults_AutoAnalysisOffAndFourPerHour()
    {
        var options = new LlmOptions();

        options.AutoAnalysis.Should().BeFalse();
        options.AutoAnalysesPerHour.Should().Be(4);
    }

    private static async Task EpochAsync(AssistantFixture fixture, AutoAnalyzer analyzer, int epoch)
    {
        var before = analyzer.Triggers;
        await fixture.Run.Epoch(epoch, 0.5, null).SettledAsync();
        await Poll.UntilAsync(() => analyzer.Triggers == before + 1, $"epoch {epoch} was booked");
    }

    private static FindingEvent Finding(AssistantFixture fixture, string id, FindingSeverity severity, int revision) =>
        new(fixture.Run.Run, id, FindingLabels.Plateau, severity, FindingState.Open, "flat") { Revision = revision, Step = 5, FirstStep = 5 };

    private static AssistantAnswer Answer(string runId, string text) => new()
    {
        RunId = runId,
        Operation = AssistantOperation.Analyze,
        Source = AssistantSource.Model,
        Text = text,
        Language = "en",
    };

    private sealed class FakeAssistant(Func<AssistantRequest, CancellationToken, Task<AssistantAnswer>> analyze) : ITrainingAssistant
    {
        public Task<AssistantAnswer> AnalyzeAsync(AssistantRequest request, CancellationToken cancellationToken = default) => analyze(request, cancellationToken);

        public IAsyncEnumerable<AssistantUpdate> AnalyzeStreamingAsync(AssistantRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<AssistantAnswer> SuggestAsync(AssistantRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<AssistantAnswer> DiagnoseAsync(AssistantRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<AssistantUpdate> ChatStreamingAsync(AssistantChatRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<ConversationMessage>> GetConversationAsync(string runId, string conversationId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
