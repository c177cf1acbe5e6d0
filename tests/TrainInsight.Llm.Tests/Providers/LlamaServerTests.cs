using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using TrainInsight.Llm.Internal.Suggestions;
using TrainInsight.Llm.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TrainInsight.Llm.Tests.Providers;

/// <summary>
/// The assistant over the OpenAI .NET client against a real llama.cpp llama-server serving stories260K.gguf (nonsense text:
/// only the protocol is asserted, never the content).
/// </summary>
[Collection(ProvidersCollection.Name)]
public sealed class LlamaServerTests(LlamaServerFixture fixture, ITestOutputHelper output) : IClassFixture<LlamaServerFixture>
{
    /// <summary>Private servers for the tests that stall or kill them: one thread, and no end of text before the context is full.</summary>
    private static readonly string[] s_longAnswers = ["-t", "1", "--ignore-eos"];

    [Fact]
    public async Task AnalyzeStreamingAsync_RealServer_DeltasThenCompletedFromModelWithStreamUsage()
    {
        using var run = await RunAsync();
        var recorder = new RequestRecorder();
        using var client = fixture.Server.ChatClient(recorder);
        var assistant = run.Assistant(client);

        var watch = Stopwatch.StartNew();
        TimeSpan? firstDelta = null;
        var updates = new List<AssistantUpdate>();
        await foreach (var update in assistant.AnalyzeStreamingAsync(new AssistantRequest(run.Run.Id)))
        {
            if (update.Kind == AssistantUpdateKind.Delta)
            {
                firstDelta ??= watch.Elapsed;
            }

            updates.Add(update);
        }

        var total = watch.Elapsed;
        updates.Should().HaveCountGreaterThan(2);
        updates[^1].Kind.Should().Be(AssistantUpdateKind.Completed);
        updates.SkipLast(1).Should().OnlyContain(u => u.Kind == AssistantUpdateKind.Delta, "a healthy stream has no reset");
        var deltas = updates.Where(u => u.Kind == AssistantUpdateKind.Delta).Select(u => u.Text!).ToList();
        deltas.Should().HaveCountGreaterThan(1);
        var answer = updates[^1].Answer!;
        answer.Source.Should().Be(AssistantSource.Model, answer.Notice);
        answer.Notice.Should().BeOneOf([null, TrainInsight.Llm.Internal.ModelCaller.Truncated], "the 260K model often fills its 2,048-token context before it stops (finish reason length)");
        answer.Text.Should().NotBeNullOrWhiteSpace().And.Be(string.Concat(deltas));
        answer.InputTokens.Should().BePositive("llama-server reports usage in the last chunk (stream_options.include_usage)");
        answer.OutputTokens.Should().BePositive();
        answer.ModelId.Should().NotBeNullOrEmpty();
        assistant.ModelAnswers.Should().Be(1);
        assistant.TokensToday.Should().BeGreaterThanOrEqualTo(answer.InputTokens!.Value + answer.OutputTokens!.Value);
        using var body = JsonDocument.Parse(recorder.Bodies.Should().ContainSingle().Subject);
        body.RootElement.GetProperty("stream").GetBoolean().Should().BeTrue();
        body.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean().Should().BeTrue();

        var generating = total - firstDelta!.Value;
        output.WriteLine(
            $"llama-server via TrainingAssistant: time to first delta {firstDelta.Value.TotalMilliseconds:0} ms, {deltas.Count} deltas, " +
            $"{answer.InputTokens} input + {answer.OutputTokens} output tokens in {total.TotalMilliseconds:0} ms, " +
            $"{answer.OutputTokens / Math.Max(generating.TotalSeconds, 1e-3):0} output tokens/s after the first delta");
    }

    [Fact]
    public async Task AnalyzeAsync_RealServer_ModelAnswerWithUsageAndModelId()
    {
        using var run = await RunAsync();
        var recorder = new RequestRecorder();
        using var client = fixture.Server.ChatClient(recorder);
        var assistant = run.Assistant(client);

        var answer = await assistant.AnalyzeAsync(new AssistantRequest(run.Run.Id));

        answer.Source.Should().Be(AssistantSource.Model, answer.Notice);
        answer.Notice.Should().BeOneOf([null, TrainInsight.Llm.Internal.ModelCaller.Truncated], "the 260K model often fills its 2,048-token context before it stops (finish reason length)");
        answer.Text.Should().NotBeNullOrWhiteSpace();
        answer.InputTokens.Should().BePositive();
        answer.OutputTokens.Should().BePositive();
        answer.ModelId.Should().NotBeNullOrEmpty();
        answer.ContextTokens.Should().BePositive();
        using var body = JsonDocument.Parse(recorder.Bodies.Should().ContainSingle().Subject);
        (body.RootElement.TryGetProperty("stream", out var stream) && stream.GetBoolean()).Should().BeFalse();
        body.RootElement.GetProperty("messages").GetArrayLength().Should().Be(2);
        output.WriteLine($"AnalyzeAsync: {answer.InputTokens} + {answer.OutputTokens} tokens in {answer.Elapsed.TotalMilliseconds:0} ms, model id '{answer.ModelId}'");
    }

    [Fact]
    public async Task SuggestAsync_RealServer_SendsJsonSchemaAndTheAnswerKeepsItsInvariants()
    {
        using var run = await RunAsync();
        var recorder = new RequestRecorder();
        using var client = fixture.Server.ChatClient(recorder);
        var assistant = run.Assistant(client);

        var answer = await assistant.SuggestAsync(new AssistantRequest(run.Run.Id));

        using (var body = JsonDocument.Parse(recorder.Bodies.Should().ContainSingle().Subject))
        {
            var format = body.RootElement.GetProperty("response_format");
            format.GetProperty("type").GetString().Should().Be("json_schema");
            format.GetProperty("json_schema").GetProperty("schema").GetRawText().Should().Contain("suggestions").And.Contain("proposed_value");
        }

        answer.Operation.Should().Be(AssistantOperation.Suggest);
        answer.Text.Should().NotBeNullOrWhiteSpace();
        if (answer.Source == AssistantSource.Model)
        {
            var known = new HashSet<string>(SuggestionValidator.KnownParameters, StringComparer.Ordinal);
            known.UnionWith(run.Run.Run.Hyperparameters.Keys);
            known.UnionWith(answer.Findings.SelectMany(f => f.Fixes).Select(f => f.Id));
            answer.Suggestions.Should().NotBeEmpty();
            answer.Suggestions.Should().OnlyContain(s => known.Contains(s.Parameter));
            answer.Suggestions.Should().OnlyContain(s => s.Confidence >= 0 && s.Confidence <= 1);
            answer.ModelId.Should().NotBeNullOrEmpty();
        }
        else
        {
            answer.Notice.Should().StartWith("The model's answer was not usable (");
            assistant.Fallbacks.Should().Be(1);
        }

        using (var response = JsonDocument.Parse(recorder.Responses.Should().ContainSingle().Subject))
        {
            var raw = response.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
            output.WriteLine($"SuggestAsync: Source {answer.Source}, {answer.Suggestions.Count} suggestions, notice: {answer.Notice ?? "(none)"} | raw model text: {raw?[..Math.Min(raw.Length, 300)]}");
        }

        // The same client, asked directly for a small type: llama-server turns the json_schema into a grammar, so the raw text is valid JSON of it.
        var probe = await client.GetResponseAsync<Probe>(
            [new ChatMessage(ChatRole.User, "Is the training healthy? Give a score.")], new ChatOptions { MaxOutputTokens = 200 }, useJsonSchemaResponseFormat: true);

        probe.TryGetResult(out var result).Should().BeTrue($"the raw text '{probe.Text}' should be JSON of the schema");
        result.Should().NotBeNull();
        using var json = JsonDocument.Parse(probe.Text);
        json.RootElement.ValueKind.Should().Be(JsonValueKind.Object);
        using var probeBody = JsonDocument.Parse(recorder.Bodies.Last());
        probeBody.RootElement.GetProperty("response_format").GetProperty("type").GetString().Should().Be("json_schema");
    }

    [Fact]
    public async Task ChatStreamingAsync_CanceledAfterFirstDelta_ThrowsAndStoresNothing()
    {
        using var server = await LlamaServer.StartAsync(s_longAnswers);
        using var run = await RunAsync();
        using var client = server.ChatClient();
        var assistant = run.Assistant(client);
        using var cts = new CancellationTokenSource();
        var deltas = 0;
        var kinds = new List<AssistantUpdateKind>();

        var act = async () =>
        {
            await foreach (var update in assistant.ChatStreamingAsync(new AssistantChatRequest(run.Run.Id, "How is the loss?") { ConversationId = "c-cancel" }, cts.Token))
            {
                kinds.Add(update.Kind);
                if (update.Kind == AssistantUpdateKind.Delta && ++deltas == 1)
                {
                    await cts.CancelAsync();
                }
            }
        };

        await act.Should().ThrowAsync<OperationCanceledException>();

        // Pieces already read from the socket may still come through; never a reset or an answer.
        kinds.Should().NotBeEmpty().And.OnlyContain(k => k == AssistantUpdateKind.Delta);
        output.WriteLine($"Canceled at the first delta; {kinds.Count - 1} more deltas followed before the OperationCanceledException.");
        (await run.Store.GetConversationAsync(run.Run.Id, "c-cancel", 100)).Should().BeEmpty();
        (await assistant.GetConversationAsync(run.Run.Id, "c-cancel")).Should().BeEmpty();
        assistant.ModelAnswers.Should().Be(0);
        assistant.RulesAnswers.Should().Be(0);
        assistant.Fallbacks.Should().Be(0, "a caller's cancellation is no model failure");
    }

    [Fact]
    public async Task AnalyzeAsync_NothingListening_RulesAnswerSaysTheModelFailed()
    {
        using var run = await RunAsync();
        using var client = LlamaServer.ChatClient(new Uri($"http://127.0.0.1:{LlamaServer.FreePort()}/v1"));
        var assistant = run.Assistant(client);

        var answer = await assistant.AnalyzeAsync(new AssistantRequest(run.Run.Id));

        answer.Source.Should().Be(AssistantSource.Rules);
        answer.Notice.Should().StartWith("The model failed (");
        answer.Text.Should().StartWith("Run \"Test run\"");
        answer.ModelId.Should().BeNull();
        assistant.Fallbacks.Should().Be(1);
        output.WriteLine($"Server down: {answer.Notice}");
    }

    [Fact]
    public async Task AnalyzeStreamingAsync_NothingListening_CompletedFromRules()
    {
        using var run = await RunAsync();
        using var client = LlamaServer.ChatClient(new Uri($"http://127.0.0.1:{LlamaServer.FreePort()}/v1"));
        var assistant = run.Assistant(client);

        var updates = await assistant.AnalyzeStreamingAsync(new AssistantRequest(run.Run.Id)).ToListAsync();

        updates.Should().NotContain(u => u.Kind == AssistantUpdateKind.Reset, "nothing was shown before the failure");
        updates[^1].Kind.Should().Be(AssistantUpdateKind.Completed);
        var answer = updates[^1].Answer!;
        answer.Source.Should().Be(AssistantSource.Rules);
        answer.Notice.Should().StartWith("The model failed (");
        answer.Text.Should().Be(string.Concat(updates.SkipLast(1).Select(u => u.Text)));
        assistant.Fallbacks.Should().Be(1);
    }

    [Fact]
    public async Task AnalyzeAsync_AnswerLongerThanRequestTimeout_RulesAnswerNamesRequestTimeout()
    {
        using var server = await LlamaServer.StartAsync(s_longAnswers);
        using var run = await RunAsync();
        using var client = server.ChatClient();
        var assistant = run.Assistant(client, new LlmOptions { RequestTimeout = TimeSpan.FromSeconds(1), MaxOutputTokens = 60_000 });

        var watch = Stopwatch.StartNew();
        var answer = await assistant.AnalyzeAsync(new AssistantRequest(run.Run.Id));
        watch.Stop();

        answer.Source.Should().Be(AssistantSource.Rules, $"the server cannot fill its context in 1 s with one thread (took {watch.Elapsed.TotalMilliseconds:0} ms)");
        answer.Notice.Should().Contain("RequestTimeout").And.Contain("within 1 s");
        watch.Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(0.9)).And.BeLessThan(TimeSpan.FromSeconds(20));
        assistant.Fallbacks.Should().Be(1);
        output.WriteLine($"RequestTimeout 1 s: rules after {watch.Elapsed.TotalMilliseconds:0} ms: {answer.Notice}");
    }

    [Fact]
    public async Task AnalyzeStreamingAsync_ServerStoppedAfterFirstDelta_ResetThenRulesNamingStreamIdleTimeout()
    {
        using var server = await LlamaServer.StartAsync(s_longAnswers);
        using var run = await RunAsync();
        using var client = server.ChatClient();
        var idle = TimeSpan.FromSeconds(2);
        var assistant = run.Assistant(client, new LlmOptions { StreamIdleTimeout = idle });
        var updates = new List<AssistantUpdate>();
        var stopped = Stopwatch.StartNew();

        try
        {
            await foreach (var update in assistant.AnalyzeStreamingAsync(new AssistantRequest(run.Run.Id)))
            {
                updates.Add(update);
                if (update.Kind == AssistantUpdateKind.Delta && updates.Count == 1)
                {
                    server.Suspend();
                    stopped.Restart();
                }
            }
        }
        finally
        {
            server.Resume();
        }

        stopped.Elapsed.Should().BeGreaterThan(idle * 0.9);
        var reset = updates.FindIndex(u => u.Kind == AssistantUpdateKind.Reset);
        reset.Should().BePositive("the model's text was shown before the server stopped");
        updates.Take(reset).Should().OnlyContain(u => u.Kind == AssistantUpdateKind.Delta);
        updates[reset].Text.Should().Contain("StreamIdleTimeout");
        updates.Skip(reset + 1).SkipLast(1).Should().OnlyContain(u => u.Kind == AssistantUpdateKind.Delta);
        var answer = updates[^1].Answer!;
        updates[^1].Kind.Should().Be(AssistantUpdateKind.Completed);
        answer.Source.Should().Be(AssistantSource.Rules);
        answer.Notice.Should().Contain("stopped sending for more than 2 s (StreamIdleTimeout)");
        answer.Text.Should().Be(string.Concat(updates.Skip(reset + 1).SkipLast(1).Select(u => u.Text)));
        answer.Text.Should().StartWith("Run \"Test run\"");
        output.WriteLine($"SIGSTOP after the first delta: {reset} deltas, then reset; rules after {stopped.Elapsed.TotalMilliseconds:0} ms: {answer.Notice}");
    }

    [Fact]
    public async Task AnalyzeStreamingAsync_ServerKilledAfterFirstDelta_ResetThenCompletedFromRules()
    {
        using var server = await LlamaServer.StartAsync(s_longAnswers);
        using var run = await RunAsync();
        using var client = server.ChatClient();
        var assistant = run.Assistant(client);
        var updates = new List<AssistantUpdate>();

        var act = async () =>
        {
            await foreach (var update in assistant.AnalyzeStreamingAsync(new AssistantRequest(run.Run.Id)))
            {
                updates.Add(update);
                if (update.Kind == AssistantUpdateKind.Delta && updates.Count == 1)
                {
                    server.Kill();
                }
            }
        };

        await act.Should().NotThrowAsync();
        server.HasExited.Should().BeTrue();
        var reset = updates.FindIndex(u => u.Kind == AssistantUpdateKind.Reset);
        reset.Should().BePositive("the model's text was shown before the server died");
        updates.Take(reset).Should().OnlyContain(u => u.Kind == AssistantUpdateKind.Delta);
        updates[^1].Kind.Should().Be(AssistantUpdateKind.Completed);
        updates.Skip(reset + 1).SkipLast(1).Should().OnlyContain(u => u.Kind == AssistantUpdateKind.Delta);
        var answer = updates[^1].Answer!;
        answer.Source.Should().Be(AssistantSource.Rules);
        answer.Notice.Should().StartWith("The model failed (");
        answer.Text.Should().Be(string.Concat(updates.Skip(reset + 1).SkipLast(1).Select(u => u.Text)));
        assistant.Fallbacks.Should().Be(1);
        output.WriteLine($"Killed after the first delta: {reset} deltas, then reset: {answer.Notice}");
    }

    private static async Task<AssistantFixture> RunAsync()
    {
        var run = new AssistantFixture();
        await run.Run.Started().Losses(Series.Decaying(30), epoch: 1, extra: v => v[MetricNames.LearningRate] = 0.01).SettledAsync();
        return run;
    }

    /// <summary>A small structured answer: bounded JSON whatever the model writes (a bool and an integer).</summary>
    internal sealed record Probe(bool Healthy, int Score);
}
