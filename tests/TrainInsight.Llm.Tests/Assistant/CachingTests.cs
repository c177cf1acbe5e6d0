using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Assistant;

public class CachingTests
{
    [Fact]
    public async Task AnalyzeAsync_SameFinishedRunTwice_SecondAnswerComesFromTheCache()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(20)).Event(new TrainingEvent(fixture.Run.Run, TrainingEventKind.RunFinished) { State = RunState.Completed }).SettledAsync();
        using var chat = FakeChatClient.Answering("It converged.");
        IDistributedCache cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        var assistant = new TrainingAssistant(fixture.Store, fixture.Bus, chat, cache: cache);

        var first = await assistant.AnalyzeAsync(new AssistantRequest(fixture.Run.Id));
        var second = await assistant.AnalyzeAsync(new AssistantRequest(fixture.Run.Id));

        first.Text.Should().Be("It converged.");
        second.Text.Should().Be("It converged.");
        second.Source.Should().Be(AssistantSource.Model);
        chat.Calls.Should().Be(1, "a finished run's context does not change, so the same prompt is answered from the cache");
        (await assistant.AnalyzeAsync(new AssistantRequest(fixture.Run.Id) { Language = "zh" })).Text.Should().Be("It converged.");
        chat.Calls.Should().Be(2, "another language is another prompt");
    }
}
