using Microsoft.Extensions.AI;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Analysis;

public class TrainingAnalystTests
{
    private static readonly TimeSpan s_patience = TestRun.Patience;

    [Fact]
    public void Ctor_NullBus_Throws()
    {
        var act = () => new TrainingAnalyst(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("bus");
    }

    [Fact]
    public async Task AnalyzeAsync_NoChatClient_AnswersFromRulesWithNotice()
    {
        using var run = await new TestRun().Losses([1.0, 0.8, 0.6, 0.4321]).SettledAsync();

        var analysis = await new TrainingAnalyst(run.Bus).AnalyzeAsync(run.Id);

        analysis.RunId.Should().Be(run.Id);
        analysis.Source.Should().Be(AnalysisSource.Rules);
        analysis.Notice.Should().Be("No IChatClient is registered; this analysis comes from rules only.");
        analysis.Findings.Should().BeEmpty();
        analysis.IsHealthy.Should().BeTrue();
        analysis.Text.Should().StartWith("Run 'run-a' (SmallCnn) is training at step 4")
            .And.Contain("last train_loss 0.4321")
            .And.Contain("The diagnosis found no problem of warning severity or worse.");
    }

    [Fact]
    public async Task AnalyzeAsync_ChatClient_ReturnsItsTextAndFindings()
    {
        using var run = await new TestRun().Losses(Series.Decaying(12)).SettledAsync();
        using var chat = FakeChatClient.Answering("The run looks fine.");

        var analysis = await new TrainingAnalyst(run.Bus, chat).AnalyzeAsync(run.Id);

        analysis.Source.Should().Be(AnalysisSource.ChatClient);
        analysis.Text.Should().Be("The run looks fine.");
        analysis.Notice.Should().BeNull();
        analysis.IsHealthy.Should().BeTrue();
        analysis.Findings.Should().ContainSingle().Which.Label.Should().Be(FindingLabels.SignalsMissing, "12 updates with only a loss leave labels unjudged");
        chat.Calls.Should().Be(1);
    }

    [Fact]
    public async Task AnalyzeAsync_ChatClient_PromptHasSystemRoleAndRunNumbersAndFindings()
    {
        using var run = await new TestRun()
            .Losses([2.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2, 2.4, 2.6, 2.8, 0.4321], epoch: 1, extra: v => v[MetricNames.LearningRate] = 0.0125)
            .Epoch(1, trainLoss: 1.2, valLoss: 0.987, valAccuracy: 0.654)
            .SettledAsync();
        var requests = new List<(List<ChatMessage> Messages, ChatOptions? Options)>();
        using var chat = FakeChatClient.Answering("ok", requests);

        await new TrainingAnalyst(run.Bus, chat).AnalyzeAsync(run.Id);

        var messages = requests.Should().ContainSingle().Subject.Messages;
        messages.Select(m => m.Role).Should().Equal(ChatRole.System, ChatRole.User);
        messages[0].Text.Should().Contain("training analyst").And.Contain("Use only the data given");
        messages[1].Text.Should()
            .Contain("run-a").And.Contain("SmallCnn").And.Contain("123456")
            .And.Contain("last: 0.4321 at step 22")
            .And.Contain("min: 0.4321 at step 22")
            .And.Contain("val_loss=0.987").And.Contain("val_accuracy=0.654")
            .And.Contain("learning_rate: first 0.0125")
            .And.Contain("Critical divergence (confidence")
            .And.Contain("suggested fix (live action): Set the learning rate to 0.0013 (0.0125 × 0.1)");
    }

    [Fact]
    public async Task AnalyzeAsync_ChatClientThrows_FallsBackToRulesWithNotice()
    {
        using var run = await new TestRun().Losses([1.0, double.NaN]).SettledAsync();
        using var chat = new FakeChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("503 Service Unavailable"),
        };

        var analysis = await new TrainingAnalyst(run.Bus, chat).AnalyzeAsync(run.Id);

        analysis.Source.Should().Be(AnalysisSource.Rules);
        analysis.Notice.Should().Be("The chat client failed (HttpRequestException: 503 Service Unavailable); falling back to rules.");
        analysis.Findings.Should().ContainSingle().Which.Label.Should().Be(FindingLabels.Divergence);
        analysis.IsHealthy.Should().BeFalse();
        analysis.Text.Should().Contain("Critical divergence (confidence 1, since step 2): train_loss was NaN at step 2")
            .And.Contain("fix (live action): Stop the run");
    }

    [Fact]
    public async Task AnalyzeAsync_ChatClientFaultsAsynchronously_FallsBackToRulesWithNotice()
    {
        using var run = await new TestRun().Losses([1.0]).SettledAsync();
        using var chat = new FakeChatClient
        {
            GetResponseAsyncCallback = async (_, _, ct) =>
            {
                await Task.Yield();
                throw new InvalidOperationException("model not found");
            },
        };

        var analysis = await new TrainingAnalyst(run.Bus, chat).AnalyzeAsync(run.Id);

        analysis.Source.Should().Be(AnalysisSource.Rules);
        analysis.Notice.Should().Contain("InvalidOperationException: model not found").And.EndWith("falling back to rules.");
    }

    [Fact]
    public async Task AnalyzeAsync_ChatClientReturnsEmptyText_FallsBackToRulesWithNotice()
    {
        using var run = await new TestRun().Losses([1.0]).SettledAsync();
        using var chat = FakeChatClient.Answering("  ");

        var analysis = await new TrainingAnalyst(run.Bus, chat).AnalyzeAsync(run.Id);

        analysis.Source.Should().Be(AnalysisSource.Rules);
        analysis.Notice.Should().Be("The chat client returned an empty answer; falling back to rules.");
    }

    [Fact]
    public async Task AnalyzeAsync_CallerCancelsDuringChat_ThrowsOperationCanceled()
    {
        using var run = await new TestRun().Losses([1.0]).SettledAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var chat = new FakeChatClient
        {
            GetResponseAsyncCallback = async (_, _, ct) =>
            {
                started.SetResult();
                await Task.Delay(Timeout.Infinite, ct);
                return new ChatResponse();
            },
        };
        using var cts = new CancellationTokenSource();

        var analysis = new TrainingAnalyst(run.Bus, chat).AnalyzeAsync(run.Id, cts.Token);
        await started.Task.WaitAsync(s_patience);
        await cts.CancelAsync();

        var thrown = await FluentActions.Awaiting(() => analysis.WaitAsync(s_patience)).Should().ThrowAsync<OperationCanceledException>();
        thrown.Which.CancellationToken.Should().Be(cts.Token);
    }

    [Fact]
    public async Task AnalyzeAsync_CallerCancelsAndClientThrowsOtherException_ThrowsOperationCanceled()
    {
        using var run = await new TestRun().Losses([1.0]).SettledAsync();
        using var cts = new CancellationTokenSource();
        using var chat = new FakeChatClient
        {
            GetResponseAsyncCallback = (_, _, _) =>
            {
                cts.Cancel();
                throw new HttpRequestException("connection reset");
            },
        };

        var act = () => new TrainingAnalyst(run.Bus, chat).AnalyzeAsync(run.Id, cts.Token);

        var thrown = await act.Should().ThrowAsync<OperationCanceledException>();
        thrown.Which.InnerException.Should().BeOfType<HttpRequestException>();
    }

    [Fact]
    public async Task AnalyzeAsync_AlreadyCanceled_ThrowsWithoutCallingChatClient()
    {
        using var run = await new TestRun().Losses([1.0]).SettledAsync();
        using var chat = FakeChatClient.Answering("never");

        var act = () => new TrainingAnalyst(run.Bus, chat).AnalyzeAsync(run.Id, new CancellationToken(canceled: true));

        await act.Should().ThrowAsync<OperationCanceledException>();
        chat.Calls.Should().Be(0);
    }

    [Fact]
    public async Task AnalyzeAsync_RequestTimeoutElapses_FallsBackToRulesWithNotice()
    {
        using var run = await new TestRun().Losses([1.0]).SettledAsync();
        using var chat = new FakeChatClient
        {
            GetResponseAsyncCallback = async (_, _, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return new ChatResponse();
            },
        };
        var options = new LlmOptions { RequestTimeout = TimeSpan.FromSeconds(1) };

        var analysis = await new TrainingAnalyst(run.Bus, chat, options).AnalyzeAsync(run.Id).WaitAsync(s_patience);

        analysis.Source.Should().Be(AnalysisSource.Rules);
        analysis.Notice.Should().Be("The chat client did not answer within 1 s (RequestTimeout); falling back to rules.");
    }

    [Fact]
    public async Task AnalyzeAsync_Temperature_PassedInChatOptions()
    {
        using var run = await new TestRun().Losses([1.0]).SettledAsync();
        var requests = new List<(List<ChatMessage> Messages, ChatOptions? Options)>();
        using var chat = FakeChatClient.Answering("ok", requests);

        await new TrainingAnalyst(run.Bus, chat, new LlmOptions { Temperature = 0.25f }).AnalyzeAsync(run.Id);

        requests.Should().ContainSingle().Which.Options!.Temperature.Should().Be(0.25f);
    }

    [Fact]
    public async Task AnalyzeAsync_NoTemperature_SendsNoChatOptions()
    {
        using var run = await new TestRun().Losses([1.0]).SettledAsync();
        var requests = new List<(List<ChatMessage> Messages, ChatOptions? Options)>();
        using var chat = FakeChatClient.Answering("ok", requests);

        await new TrainingAnalyst(run.Bus, chat).AnalyzeAsync(run.Id);

        requests.Should().ContainSingle().Which.Options.Should().BeNull();
    }

    [Fact]
    public async Task AnalyzeAsync_UnknownRunId_ThrowsKeyNotFoundNamingTheRun()
    {
        using var run = await new TestRun().Losses([1.0]).SettledAsync();

        var act = () => new TrainingAnalyst(run.Bus).AnalyzeAsync("no-such-run");

        await act.Should().ThrowAsync<KeyNotFoundException>().WithMessage("*'no-such-run'*");
    }

    [Fact]
    public async Task AnalyzeAsync_EmptyBusAndNoRunId_ThrowsKeyNotFound()
    {
        using var bus = TelemetryBus.Create();

        var act = () => new TrainingAnalyst(bus).AnalyzeAsync();

        await act.Should().ThrowAsync<KeyNotFoundException>().WithMessage("No run has published*");
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task AnalyzeAsync_BlankRunId_ThrowsArgumentException(string runId)
    {
        using var bus = TelemetryBus.Create();

        var act = () => new TrainingAnalyst(bus).AnalyzeAsync(runId);

        await act.Should().ThrowAsync<ArgumentException>().WithParameterName(nameof(runId));
    }

    [Fact]
    public async Task AnalyzeAsync_NoRunId_AnalyzesRunThatPublishedLast()
    {
        using var first = new TestRun("run-a");
        using var second = new TestRun("run-b", first.Bus);
        first.Losses([1.0, double.NaN]);
        await first.SettledAsync();
        second.Losses([1.0, 0.9]);
        await second.SettledAsync();

        var analysis = await new TrainingAnalyst(first.Bus).AnalyzeAsync();

        analysis.RunId.Should().Be("run-b");
        analysis.Findings.Should().BeEmpty();
    }

    [Fact]
    public async Task AnalyzeAsync_TwoRuns_UsesOnlyTheRequestedRunsEvents()
    {
        using var first = new TestRun("run-a");
        using var second = new TestRun("run-b", first.Bus);
        first.Losses([1.0, double.NaN]);
        second.Losses([1.0, 0.9]);
        await first.SettledAsync();

        var analysis = await new TrainingAnalyst(first.Bus).AnalyzeAsync("run-a");

        analysis.RunId.Should().Be("run-a");
        analysis.Findings.Should().ContainSingle().Which.Label.Should().Be(FindingLabels.Divergence);
        analysis.Findings[0].Message.Should().Contain("train_loss was NaN at step 2");
    }

    [Fact]
    public async Task AnalyzeAsync_OptionsChangedAfterConstruction_UsesNewValues()
    {
        using var run = await new TestRun().Losses([1.0]).SettledAsync();
        var requests = new List<(List<ChatMessage> Messages, ChatOptions? Options)>();
        using var chat = FakeChatClient.Answering("ok", requests);
        var options = new LlmOptions();
        var analyst = new TrainingAnalyst(run.Bus, chat, options);

        options.Temperature = 1.5f;
        await analyst.AnalyzeAsync(run.Id);

        requests.Should().ContainSingle().Which.Options!.Temperature.Should().Be(1.5f);
    }
}
