using Microsoft.Extensions.AI;

namespace TrainInsight.Llm.Tests.Infrastructure;

/// <summary>A real bus over a real in-memory store, one test run on it, and an assistant over both.</summary>
internal sealed class AssistantFixture : IDisposable
{
    public AssistantFixture(string runId = "run-a", RunDescriptor? run = null)
    {
        Store = new InMemoryMetricStore();
        Bus = TelemetryBus.Create(new TrainInsightOptions { StoreFlushInterval = TimeSpan.FromMilliseconds(20) }, Store);
        Run = new TestRun(runId, Bus, run);
    }

    public InMemoryMetricStore Store { get; }

    public ITelemetryBus Bus { get; }

    public TestRun Run { get; }

    public TrainingAssistant Assistant(IChatClient? chat = null, LlmOptions? options = null, TimeProvider? time = null, IProposalService? proposals = null) =>
        new(Store, Bus, chat, options, timeProvider: time, proposals: proposals);

    public void Dispose() => Bus.Dispose();
}
