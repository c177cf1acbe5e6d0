using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using LLama;
using LLama.Abstractions;
using LLama.Common;
using LLama.Native;
using Microsoft.Extensions.AI;
using TrainInsight.Llm.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TrainInsight.Llm.Tests.Providers;

/// <summary>stories260K.gguf loaded once in process through LLamaSharp's CPU backend, for the tests of a class.</summary>
public sealed class LlamaSharpFixture : IDisposable
{
    private static readonly Lock s_configure = new();
    private static bool s_configured;

    public LlamaSharpFixture()
    {
        Configure();
        var watch = Stopwatch.StartNew();
        Parameters = NewParameters();
        Weights = LLamaWeights.LoadFromFile(Parameters);
        LoadTime = watch.Elapsed;
    }

    /// <summary>
    /// 2,048 tokens of context (the model's training context): the assistant's prompt is about 1,350 tokens in this
    /// model's 512-token vocabulary, so a 512-token context could not hold it.
    /// </summary>
    internal ModelParams Parameters { get; }

    internal LLamaWeights Weights { get; }

    internal TimeSpan LoadTime { get; }

    /// <summary>Which libgomp.so.1 the CPU backend uses.</summary>
    internal static string OpenMp { get; private set; } = "none";

    internal static ModelParams NewParameters() => new(ProviderPaths.RequireModel()) { ContextSize = 2048, GpuLayerCount = 0, Threads = 2, BatchThreads = 2 };

    /// <summary>A chat client over a fresh stateless executor on the shared weights.</summary>
    internal IChatClient ChatClient() => new StatelessExecutor(Weights, Parameters).AsChatClient();

    public void Dispose() => Weights.Dispose();

    /// <summary>
    /// Makes sure libgomp (GCC's OpenMP runtime, which every CPU variant of LLamaSharp's libggml-cpu.so links) can be
    /// found: the host's, or else the copy in the sid root of eng/setup-llama.sh, which eng/torch-env.sh mounts in its
    /// Debian trixie root (that root has no libgomp1). Loaded once by absolute path, its soname then satisfies the backend.
    /// </summary>
    private static void LoadOpenMp()
    {
        const string Soname = "libgomp.so.1";
        if (!OperatingSystem.IsLinux() || NativeLibrary.TryLoad(Soname, out _))
        {
            OpenMp = "the system's";
            return;
        }

        var triplet = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        var fallback = Path.Combine(ProviderPaths.SidRoot, "usr", "lib", triplet, Soname);
        if (!File.Exists(fallback) || !NativeLibrary.TryLoad(fallback, out _))
        {
            throw new InvalidOperationException(
                $"{Soname} (package libgomp1), which LLamaSharp's CPU backend needs, is not installed here (TRAININSIGHT_TORCH_ENV={Environment.GetEnvironmentVariable("TRAININSIGHT_TORCH_ENV") ?? "unset"}) " +
                $"and {fallback} was not found or would not load. Install libgomp1, or {char.ToLowerInvariant(ProviderPaths.SetupHint[0])}{ProviderPaths.SetupHint[1..]}");
        }

        OpenMp = fallback;
    }

    /// <summary>Finds libgomp and keeps llama.cpp's log quiet (once, before the native library loads).</summary>
    private static void Configure()
    {
        lock (s_configure)
        {
            if (!s_configured)
            {
                LoadOpenMp();
                NativeLibraryConfig.All.WithLogCallback((level, message) =>
                {
                    if (level == LLamaLogLevel.Error)
                    {
                        Console.Error.Write(message);
                    }
                });
                s_configured = true;
            }
        }
    }
}

/// <summary>The assistant over LLamaSharp's IChatClient (StatelessExecutor.AsChatClient()) on the real tiny model; only the protocol is asserted.</summary>
[Collection(ProvidersCollection.Name)]
public sealed class LlamaSharpTests(LlamaSharpFixture model, ITestOutputHelper output) : IClassFixture<LlamaSharpFixture>
{
    /// <summary>Short answers keep the class fast; the prompt stays the assistant's own.</summary>
    private static LlmOptions Options() => new() { MaxOutputTokens = 200 };

    [Fact]
    public async Task AnalyzeStreamingAsync_LlamaSharp_DeltasThenCompletedFromModel()
    {
        using var run = await RunAsync();
        using var client = model.ChatClient();
        var assistant = run.Assistant(client, Options());

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
        updates[^1].Kind.Should().Be(AssistantUpdateKind.Completed);
        updates.SkipLast(1).Should().OnlyContain(u => u.Kind == AssistantUpdateKind.Delta, "a healthy stream has no reset");
        var deltas = updates.SkipLast(1).Select(u => u.Text!).ToList();
        deltas.Should().HaveCountGreaterThan(1);
        var answer = updates[^1].Answer!;
        answer.Source.Should().Be(AssistantSource.Model, answer.Notice);
        answer.Notice.Should().BeNull();
        answer.Text.Should().NotBeNullOrWhiteSpace().And.Be(string.Concat(deltas));
        assistant.ModelAnswers.Should().Be(1);

        var tokens = model.Weights.Tokenize(answer.Text, false, false, Encoding.UTF8).Length;
        var generating = total - firstDelta!.Value;
        output.WriteLine(
            $"LLamaSharp via TrainingAssistant (model loaded in {model.LoadTime.TotalMilliseconds:0} ms, libgomp: {LlamaSharpFixture.OpenMp}): time to first delta {firstDelta.Value.TotalMilliseconds:0} ms, " +
            $"{deltas.Count} deltas (~{tokens} tokens re-tokenized) in {total.TotalMilliseconds:0} ms, {deltas.Count / Math.Max(generating.TotalSeconds, 1e-3):0} deltas/s after the first delta; " +
            $"usage reported: input {answer.InputTokens?.ToString() ?? "none"}, output {answer.OutputTokens?.ToString() ?? "none"}");
    }

    [Fact]
    public async Task AnalyzeStreamingAsync_LlamaSharpCanceledAfterFirstDelta_ThrowsOperationCanceled()
    {
        using var run = await RunAsync();
        using var client = model.ChatClient();
        var assistant = run.Assistant(client, Options());
        using var cts = new CancellationTokenSource();
        var kinds = new List<AssistantUpdateKind>();

        var act = async () =>
        {
            await foreach (var update in assistant.AnalyzeStreamingAsync(new AssistantRequest(run.Run.Id), cts.Token))
            {
                kinds.Add(update.Kind);
                if (update.Kind == AssistantUpdateKind.Delta && kinds.Count == 1)
                {
                    await cts.CancelAsync();
                }
            }
        };

        await act.Should().ThrowAsync<OperationCanceledException>();

        // LLamaSharp's keyword transform hands over a window of decoded tokens at once, and the assistant passes on what its
        // client already produced; the cancellation ends the stream at the executor's next decode. Never a reset or an answer.
        kinds.Should().NotBeEmpty().And.OnlyContain(k => k == AssistantUpdateKind.Delta);
        output.WriteLine($"Canceled at the first delta; {kinds.Count - 1} already decoded deltas followed before the OperationCanceledException.");
        assistant.ModelAnswers.Should().Be(0);
        assistant.Fallbacks.Should().Be(0, "a caller's cancellation is no model failure");
    }

    [Fact]
    public async Task AnalyzeStreamingAsync_LlamaSharpThrowsAfterFirstUpdate_ResetThenCompletedFromRules()
    {
        using var run = await RunAsync();
        using var client = new ThrowsAfterFirstUpdate(model.ChatClient());
        var assistant = run.Assistant(client, Options());

        var updates = await assistant.AnalyzeStreamingAsync(new AssistantRequest(run.Run.Id)).ToListAsync();

        client.Updates.Should().Be(1, "the real model streamed one update before the failure");
        updates[0].Kind.Should().Be(AssistantUpdateKind.Delta);
        updates[1].Kind.Should().Be(AssistantUpdateKind.Reset);
        updates[1].Text.Should().StartWith("The model failed (InvalidOperationException: the provider failed mid-stream)");
        updates.Skip(2).SkipLast(1).Should().OnlyContain(u => u.Kind == AssistantUpdateKind.Delta).And.NotBeEmpty();
        updates[^1].Kind.Should().Be(AssistantUpdateKind.Completed);
        var answer = updates[^1].Answer!;
        answer.Source.Should().Be(AssistantSource.Rules);
        answer.Notice.Should().StartWith("The model failed (InvalidOperationException");
        answer.Text.Should().Be(string.Concat(updates.Skip(2).SkipLast(1).Select(u => u.Text))).And.StartWith("Run \"Test run\"");
        assistant.Fallbacks.Should().Be(1);
    }

    [Fact]
    public async Task AnalyzeStreamingAsync_LlamaSharpWeightsDisposed_CompletedFromRulesWithoutReset()
    {
        using var run = await RunAsync();
        var parameters = LlamaSharpFixture.NewParameters();
        var weights = LLamaWeights.LoadFromFile(parameters);
        using var client = new StatelessExecutor(weights, parameters).AsChatClient();
        weights.Dispose();
        var assistant = run.Assistant(client, Options());

        var updates = await assistant.AnalyzeStreamingAsync(new AssistantRequest(run.Run.Id)).ToListAsync();

        updates.Should().NotContain(u => u.Kind == AssistantUpdateKind.Reset, "the model failed before it wrote anything");
        updates[^1].Kind.Should().Be(AssistantUpdateKind.Completed);
        var answer = updates[^1].Answer!;
        answer.Source.Should().Be(AssistantSource.Rules);
        answer.Notice.Should().StartWith("The model failed (");
        answer.Text.Should().Be(string.Concat(updates.SkipLast(1).Select(u => u.Text)));
        output.WriteLine($"Disposed weights: {answer.Notice}");
    }

    private static async Task<AssistantFixture> RunAsync()
    {
        var run = new AssistantFixture();
        await run.Run.Started().Losses(Series.Decaying(30), epoch: 1, extra: v => v[MetricNames.LearningRate] = 0.01).SettledAsync();
        return run;
    }

    /// <summary>A hand-written fault around the real model: passes its first update through, then throws.</summary>
    private sealed class ThrowsAfterFirstUpdate(IChatClient inner) : DelegatingChatClient(inner)
    {
        public int Updates { get; private set; }

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                if (update.Text.Length == 0)
                {
                    continue;
                }

                Updates++;
                yield return update;
                throw new InvalidOperationException("the provider failed mid-stream");
            }
        }
    }
}
