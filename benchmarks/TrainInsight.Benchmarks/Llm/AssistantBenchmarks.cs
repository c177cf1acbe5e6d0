using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using TrainInsight.Llm;
using TrainInsight.Llm.Internal.Context;

namespace TrainInsight.Benchmarks.Llm;

/// <summary>
/// P7, the assistant's own cost: time to the first streamed piece through <see cref="TrainingAssistant"/> against calling
/// the same client directly (a fake model with a fixed 20 ms delay), and the context builder's cost per call (reading a
/// run of 2,000 steps × 8 metrics from the in-memory store and writing its ≤ 1,024-token context).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class AssistantBenchmarks
{
    private static readonly TimeSpan s_delay = TimeSpan.FromMilliseconds(20);
    private InMemoryMetricStore _store = null!;
    private ITelemetryBus _bus = null!;
    private DelayedChatClient _client = null!;
    private TrainingAssistant _assistant = null!;
    private RunDataLoader _loader = null!;
    private AssistantRequest _request = null!;
    private List<ChatMessage> _messages = null!;

    [GlobalSetup]
    public void Setup()
    {
        _store = new InMemoryMetricStore(1_000_000);
        _bus = TelemetryBus.Create(new TrainInsightOptions { StoreFlushInterval = TimeSpan.FromMilliseconds(20) }, _store);
        RunFixture.Publish(_bus, "bench-run", steps: 2_000);
        RunFixture.WaitStored(_store, "bench-run", 2_000);
        _client = new DelayedChatClient(s_delay, pieces: 8);
        _assistant = new TrainingAssistant(_store, _bus, _client, new LlmOptions { MaxCallsPerMinute = 100_000, MaxTokensPerDay = 10_000_000_000 });
        _loader = new RunDataLoader(_store, _bus, null);
        _request = new AssistantRequest("bench-run");
        _messages = [new ChatMessage(ChatRole.System, "You are a training analyst."), new ChatMessage(ChatRole.User, "Analyse.")];
    }

    [GlobalCleanup]
    public void Cleanup() => _bus.Dispose();

    [Benchmark(Baseline = true)]
    public async Task<string> FirstTokenDirect()
    {
        await foreach (var update in _client.GetStreamingResponseAsync(_messages).ConfigureAwait(false))
        {
            return update.Text;
        }

        throw new InvalidOperationException("no update");
    }

    [Benchmark]
    public async Task<string?> FirstTokenThroughAssistant()
    {
        await foreach (var update in _assistant.AnalyzeStreamingAsync(_request).ConfigureAwait(false))
        {
            if (update.Kind == AssistantUpdateKind.Delta)
            {
                return update.Text;
            }
        }

        throw new InvalidOperationException("no delta");
    }

    [Benchmark]
    public async Task<int> ContextBuilderPerCall()
    {
        var data = await _loader.LoadAsync("bench-run", CancellationToken.None).ConfigureAwait(false);
        return RunContextBuilder.Build(data, 1_024, DateTimeOffset.UtcNow).Tokens;
    }
}
