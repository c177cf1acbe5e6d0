using Microsoft.Extensions.AI;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Assistant;

public class TrainingAssistantTests
{
    [Fact]
    public void Ctor_NullStoreOrBus_Throws()
    {
        using var bus = TelemetryBus.Create();
        var noStore = () => new TrainingAssistant(null!, bus);
        var noBus = () => new TrainingAssistant(new InMemoryMetricStore(), null!);

        noStore.Should().Throw<ArgumentNullException>().WithParameterName("store");
        noBus.Should().Throw<ArgumentNullException>().WithParameterName("bus");
    }

    [Fact]
    public async Task AnalyzeAsync_UnknownRun_ThrowsRunNotFound()
    {
        using var fixture = new AssistantFixture();

        var act = () => fixture.Assistant().AnalyzeAsync(new AssistantRequest("nobody"));

        (await act.Should().ThrowAsync<RunNotFoundException>()).Which.RunId.Should().Be("nobody");
    }

    [Fact]
    public async Task AnalyzeAsync_NoChatClient_AnswersFromRulesWithTheRunsNumbers()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(40), epoch: 2, extra: v => v[MetricNames.LearningRate] = 0.01).SettledAsync();

        var answer = await fixture.Assistant().AnalyzeAsync(new AssistantRequest(fixture.Run.Id));

        answer.Source.Should().Be(AssistantSource.Rules);
        answer.Operation.Should().Be(AssistantOperation.Analyze);
        answer.Notice.Should().Contain("No IChatClient is registered");
        answer.Language.Should().Be("en");
        answer.ContextTokens.Should().Be(0);
        answer.Text.Should().StartWith("Run \"Test run\" (SmallCnn) is training at step 40, epoch 2 of 10.")
            .And.Contain("train_loss 0.2706 (best 0.2706 at step 40), falling -18.5% over the last 8 points")
            .And.Contain("learning_rate 0.01")
            .And.Contain("Training state: normal.");
    }

    [Fact]
    public async Task AnalyzeAsync_Chinese_RulesAnswerInChinese()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(20), epoch: 1).SettledAsync();

        var answer = await fixture.Assistant().AnalyzeAsync(new AssistantRequest(fixture.Run.Id) { Language = "zh-CN" });

        answer.Language.Should().Be("zh-CN");
        answer.Text.Should().StartWith("运行 \"Test run\" (SmallCnn) 正在训练，第 20 步，第 1/10 轮。").And.Contain("训练状态：正常");
        answer.Notice.Should().NotContain("English");
    }

    [Fact]
    public async Task AnalyzeAsync_OtherLanguageWithoutModel_SaysTheRulesWriteEnglish()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(5)).SettledAsync();

        var answer = await fixture.Assistant().AnalyzeAsync(new AssistantRequest(fixture.Run.Id) { Language = "fr" });

        answer.Notice.Should().Contain("English and Chinese only").And.Contain("'fr'");
    }

    [Fact]
    public async Task AnalyzeAsync_Model_ReturnsItsTextUsageAndContextSize()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(30)).SettledAsync();
        var requests = new List<(List<ChatMessage> Messages, ChatOptions? Options)>();
        using var chat = new FakeChatClient
        {
            GetResponseAsyncCallback = (m, o, _) =>
            {
                requests.Add((m.ToList(), o));
                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "  Loss falls 5 % per step.  "))
                {
                    ModelId = "m-1",
                    Usage = new UsageDetails { InputTokenCount = 321, OutputTokenCount = 12 },
                });
            },
        };
        var assistant = fixture.Assistant(chat);

        var answer = await assistant.AnalyzeAsync(new AssistantRequest(fixture.Run.Id));

        answer.Source.Should().Be(AssistantSource.Model);
        answer.Text.Should().Be("Loss falls 5 % per step.");
        answer.Notice.Should().BeNull();
        answer.ModelId.Should().Be("m-1");
        answer.InputTokens.Should().Be(321);
        answer.OutputTokens.Should().Be(12);
        answer.ContextTokens.Should().BeInRange(50, 1_024);
        assistant.ModelAnswers.Should().Be(1);
        var (messages, options) = requests.Single();
        messages.Select(m => m.Role).Should().Equal(ChatRole.System, ChatRole.User);
        messages[0].Text.Should().StartWith(AssistantPrompts.DefaultAnalyst.Replace("{language}", "English", StringComparison.Ordinal))
            .And.Contain("<run_data>\nrun: id=\"run-a\" name=\"Test run\" model=\"SmallCnn\" parameters=123456 state=training step=30")
            .And.Contain("train_loss: now 0.4519 @30, best(min) 0.4519 @30, first 2 @1, last 6 points falling -14%");
        messages[1].Text.Should().Be(TrainInsight.Llm.Internal.PromptBuilder.AnalyzeTask);
        options!.MaxOutputTokens.Should().Be(1_024);
    }

    [Fact]
    public async Task AnalyzeAsync_ModelThrows_RulesAnswerWithTheCauseAndCountsIt()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(10)).SettledAsync();
        using var chat = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("connection refused (127.0.0.1:1)") };
        var assistant = fixture.Assistant(chat);

        var answer = await assistant.AnalyzeAsync(new AssistantRequest(fixture.Run.Id));

        answer.Source.Should().Be(AssistantSource.Rules);
        answer.Notice.Should().Be("The model failed (HttpRequestException: connection refused (127.0.0.1:1)); this answer comes from the rules.");
        answer.Text.Should().StartWith("Run \"Test run\"");
        assistant.Fallbacks.Should().Be(1);
        assistant.RulesAnswers.Should().Be(1);
    }

    [Fact]
    public async Task AnalyzeAsync_ModelTooSlow_RulesAnswerNamingTheTimeout()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(10)).SettledAsync();
        using var chat = new FakeChatClient
        {
            GetResponseAsyncCallback = async (_, _, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                throw new InvalidOperationException("unreachable");
            },
        };

        var answer = await fixture.Assistant(chat, new LlmOptions { RequestTimeout = TimeSpan.FromSeconds(1) }).AnalyzeAsync(new AssistantRequest(fixture.Run.Id));

        answer.Source.Should().Be(AssistantSource.Rules);
        answer.Notice.Should().Be("The model did not answer within 1 s (RequestTimeout). This answer comes from the rules.");
    }

    [Fact]
    public async Task AnalyzeAsync_CallerCancels_Throws()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(10)).SettledAsync();
        using var cancel = new CancellationTokenSource();
        using var chat = new FakeChatClient
        {
            GetResponseAsyncCallback = async (_, _, ct) =>
            {
                await cancel.CancelAsync();
                await Task.Delay(Timeout.Infinite, ct);
                throw new InvalidOperationException("unreachable");
            },
        };
        var assistant = fixture.Assistant(chat);

        var act = () => assistant.AnalyzeAsync(new AssistantRequest(fixture.Run.Id), cancel.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        assistant.Fallbacks.Should().Be(0);
    }

    [Fact]
    public async Task AnalyzeAsync_EmptyModelAnswer_RulesAnswer()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(10)).SettledAsync();
        using var chat = FakeChatClient.Answering("   ");

        var answer = await fixture.Assistant(chat).AnalyzeAsync(new AssistantRequest(fixture.Run.Id));

        answer.Source.Should().Be(AssistantSource.Rules);
        answer.Notice.Should().Be("The model's answer was not usable (it was empty); this answer comes from the rules.");
    }

    [Fact]
    public async Task AnalyzeAsync_ModelStoppedAtItsOutputLimit_KeepsTheAnswerAndSaysItWasCut()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(10)).SettledAsync();
        using var chat = new FakeChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "The loss falls and")) { FinishReason = ChatFinishReason.Length }),
        };

        var answer = await fixture.Assistant(chat).AnalyzeAsync(new AssistantRequest(fixture.Run.Id));

        answer.Source.Should().Be(AssistantSource.Model);
        answer.Text.Should().Be("The loss falls and");
        answer.Notice.Should().Be("The model's answer was cut short: it reached its output limit (MaxOutputTokens or the model's context) before it finished.");
    }

    [Fact]
    public async Task AnalyzeStreamingAsync_LastUpdateSaysLength_NoticeSaysItWasCut()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(10)).SettledAsync();
        using var chat = new FakeChatClient { GetStreamingResponseAsyncCallback = (_, _, _) => Cut() };

        var answer = (await fixture.Assistant(chat).AnalyzeStreamingAsync(new AssistantRequest(fixture.Run.Id)).ToListAsync())[^1].Answer!;

        answer.Source.Should().Be(AssistantSource.Model);
        answer.Notice.Should().StartWith("The model's answer was cut short");

        static async IAsyncEnumerable<ChatResponseUpdate> Cut()
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "The loss ");
            yield return new ChatResponseUpdate(ChatRole.Assistant, "falls") { FinishReason = ChatFinishReason.Length };
        }
    }

    [Fact]
    public async Task AnalyzeStreamingAsync_ClientKeepsSendingAfterCancel_CancellationWins()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(10)).SettledAsync();
        using var cancel = new CancellationTokenSource();
        using var chat = new FakeChatClient { GetStreamingResponseAsyncCallback = (_, _, _) => Deaf() };
        var received = 0;

        var act = async () =>
        {
            await foreach (var update in fixture.Assistant(chat).AnalyzeStreamingAsync(new AssistantRequest(fixture.Run.Id), cancel.Token))
            {
                received++;
                await cancel.CancelAsync();
            }
        };

        await act.Should().ThrowAsync<OperationCanceledException>();
        received.Should().Be(1, "nothing after the cancellation reaches the caller");

        // A client that ignores the token (pieces already decoded, or a loop that stops quietly).
        static async IAsyncEnumerable<ChatResponseUpdate> Deaf()
        {
            for (var i = 0; i < 5; i++)
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, "la ");
            }
        }
    }

    [Fact]
    public async Task AnalyzeAsync_FinishedRunFromBeforeARestart_IsReadFromTheStore()
    {
        var store = new InMemoryMetricStore();
        var options = new TrainInsightOptions { StoreFlushInterval = TimeSpan.FromMilliseconds(20) };
        await using (var before = TelemetryBus.Create(options, store))
        {
            await new TestRun("old-run", before).Losses(Series.Decaying(25)).SettledAsync();
        }

        await using var after = TelemetryBus.Create(options, store);
        after.GetCurrent("old-run").Should().BeNull("a new bus has not seen the run");

        var answer = await new TrainingAssistant(store, after).AnalyzeAsync(new AssistantRequest("old-run"));

        answer.Text.Should().Contain("at step 25").And.Contain("train_loss 0.584 (best 0.584 at step 25), falling -14.3% over the last 6 points");
    }

    [Fact]
    public async Task DiagnoseAsync_DivergedRun_ExplainsFindingAndRanksLiveFixFirst()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses([.. Series.Decaying(20), double.NaN, double.NaN, double.NaN], extra: v => v[MetricNames.LearningRate] = 0.5).SettledAsync();
        var finding = new FindingEvent(fixture.Run.Run, "run-a/divergence/1", FindingLabels.Divergence, FindingSeverity.Critical, FindingState.Open,
            "train_loss became NaN at step 21 after falling to 0.7547.")
        {
            FirstStep = 21,
            Confidence = 1,
            Fixes =
            [
                new SuggestedFix("lower_learning_rate", FixKind.LiveAction, "Set the learning rate to 0.05 (0.5 × 0.1)", "A NaN loss at this rate means the steps overshoot.", [new FixCommand(ControlAction.SetLearningRate, 0.05)]),
                new SuggestedFix("clip_gradients", FixKind.CodeChange, "Clip gradients to norm 1.0", "Bounds each update."),
            ],
        };
        await fixture.Run.Event(finding).SettledAsync();
        await Poll.UntilAsync(() => fixture.Store.GetFindingsAsync(new FindingQuery("run-a")), f => f.Count == 1, "the store has the finding", TestRun.Patience);

        var answer = await fixture.Assistant().DiagnoseAsync(new AssistantRequest(fixture.Run.Id));

        answer.Findings.Should().ContainSingle().Which.Label.Should().Be(FindingLabels.Divergence);
        answer.Suggestions.Should().HaveCount(2);
        var first = answer.Suggestions[0];
        first.Parameter.Should().Be(HyperparameterNames.LearningRate);
        first.CurrentValue.Should().Be(0.5);
        first.ProposedValue.Should().Be(0.05);
        first.Priority.Should().Be(1);
        first.Confidence.Should().Be(1);
        first.Commands.Should().ContainSingle().Which.Action.Should().Be(ControlAction.SetLearningRate);
        first.FindingId.Should().Be("run-a/divergence/1");
        answer.Suggestions[1].Parameter.Should().Be("gradient_clip_norm");
        answer.Suggestions[1].Commands.Should().BeEmpty();
        answer.Text.Should().Contain("1 problem found, most severe first")
            .And.Contain("[critical] divergence (confidence 1, since step 21): train_loss became NaN at step 21")
            .And.Contain("Step 1: Set the learning rate to 0.05 (0.5 × 0.1) (can be applied live).")
            .And.Contain("Expected effect: the loss should be finite again")
            .And.Contain("Top-ranked fix: learning_rate: 0.5 → 0.05 (confidence 1, can be applied live)");
    }

    [Fact]
    public async Task AnalyzeStreamingAsync_Model_StreamsDeltasThenTheWholeAnswer()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(10)).SettledAsync();
        using var chat = FakeChatClient.Streaming(["The loss ", "falls ", "steadily."]);

        var updates = await fixture.Assistant(chat).AnalyzeStreamingAsync(new AssistantRequest(fixture.Run.Id)).ToListAsync();

        updates.Select(u => u.Kind).Should().Equal(AssistantUpdateKind.Delta, AssistantUpdateKind.Delta, AssistantUpdateKind.Delta, AssistantUpdateKind.Completed);
        updates.Take(3).Select(u => u.Text).Should().Equal("The loss ", "falls ", "steadily.");
        var answer = updates[^1].Answer!;
        answer.Source.Should().Be(AssistantSource.Model);
        answer.Text.Should().Be("The loss falls steadily.");
        answer.ModelId.Should().Be("fake-model");
        answer.InputTokens.Should().Be(100);
        answer.OutputTokens.Should().Be(3);
    }

    [Fact]
    public async Task AnalyzeStreamingAsync_ModelDiesMidStream_ResetsThenStreamsTheRules()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(10)).SettledAsync();
        using var chat = FakeChatClient.Streaming(["The loss ", "fa"], failAfter: new IOException("The response ended prematurely."));
        var assistant = fixture.Assistant(chat);

        var updates = await assistant.AnalyzeStreamingAsync(new AssistantRequest(fixture.Run.Id)).ToListAsync();

        updates[0].Kind.Should().Be(AssistantUpdateKind.Delta);
        updates[1].Kind.Should().Be(AssistantUpdateKind.Delta);
        updates[2].Kind.Should().Be(AssistantUpdateKind.Reset);
        updates[2].Text.Should().Be("The model failed (IOException: The response ended prematurely.); this answer comes from the rules.");
        updates.Skip(3).SkipLast(1).Should().OnlyContain(u => u.Kind == AssistantUpdateKind.Delta);
        var answer = updates[^1].Answer!;
        answer.Source.Should().Be(AssistantSource.Rules);
        string.Concat(updates.Skip(3).SkipLast(1).Select(u => u.Text)).Should().Be(answer.Text);
        answer.Text.Should().StartWith("Run \"Test run\"");
        assistant.Fallbacks.Should().Be(1);
    }

    [Fact]
    public async Task AnalyzeStreamingAsync_ModelSilent_IdleTimeoutFallsBackToRules()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(10)).SettledAsync();
        using var chat = new FakeChatClient { GetStreamingResponseAsyncCallback = (_, _, ct) => Silent(ct) };

        var updates = await fixture.Assistant(chat, new LlmOptions { StreamIdleTimeout = TimeSpan.FromMilliseconds(200) })
            .AnalyzeStreamingAsync(new AssistantRequest(fixture.Run.Id)).ToListAsync();

        updates.Should().NotContain(u => u.Kind == AssistantUpdateKind.Reset, "nothing was shown before the rules");
        var answer = updates[^1].Answer!;
        answer.Source.Should().Be(AssistantSource.Rules);
        answer.Notice.Should().Be("The model sent nothing within 0.2 s (StreamIdleTimeout). This answer comes from the rules.");

        static async IAsyncEnumerable<ChatResponseUpdate> Silent([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Delay(Timeout.Infinite, ct);
            yield break;
        }
    }

    [Fact]
    public async Task AnalyzeStreamingAsync_UnknownRun_ThrowsOnFirstMove()
    {
        using var fixture = new AssistantFixture();

        var act = async () => await fixture.Assistant().AnalyzeStreamingAsync(new AssistantRequest("nobody")).ToListAsync();

        await act.Should().ThrowAsync<RunNotFoundException>();
    }
}
