using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.DependencyInjection;

public class LlmTrainInsightBuilderExtensionsTests
{
    [Fact]
    public void AddLlm_NullBuilder_Throws()
    {
        var act = () => LlmTrainInsightBuilderExtensions.AddLlm(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("builder");
    }

    [Fact]
    public void AddLlm_Always_ReturnsSameBuilderAndRegistersNoChatClient()
    {
        var services = new ServiceCollection();
        var builder = services.AddTrainInsight();

        builder.AddLlm().Should().BeSameAs(builder);
        services.Should().NotContain(d => d.ServiceType == typeof(IChatClient));
    }

    [Fact]
    public void AddLlm_CalledTwice_RegistersOnceAndAppliesEveryConfigure()
    {
        var services = new ServiceCollection();

        services.AddTrainInsight().AddLlm(o => o.MaxSuggestions = 7).AddLlm(o => o.Temperature = 0.5f);
        services.AddTrainInsight().AddLlm();

        services.Count(d => d.ServiceType == typeof(TrainingAssistant)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(ITrainingAssistant)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(LlmOptions)).Should().Be(1);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var options = provider.GetRequiredService<LlmOptions>();
        options.MaxSuggestions.Should().Be(7);
        options.Temperature.Should().Be(0.5f);
        provider.GetRequiredService<ITrainingAssistant>().Should().BeSameAs(provider.GetRequiredService<TrainingAssistant>());
    }

    [Fact]
    public void AddLlm_InvalidOption_ThrowsFromConfigure()
    {
        var act = () => new ServiceCollection().AddTrainInsight().AddLlm(o => o.MaxSuggestions = 0);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task AddLlm_WithoutChatClient_AnalystAnswersFromRules()
    {
        var services = new ServiceCollection();
        services.AddTrainInsight().AddLlm();
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var run = await new TestRun(bus: provider.GetRequiredService<ITelemetryBus>()).Losses([1.0, 0.5]).SettledAsync();

        var analysis = await provider.GetRequiredService<ITrainingAssistant>().AnalyzeAsync(new AssistantRequest(run.Id));

        analysis.Source.Should().Be(AssistantSource.Rules);
        analysis.Notice.Should().Contain("No IChatClient is registered");
    }

    [Fact]
    public async Task AddLlm_WithRegisteredChatClient_AnalystUsesItAndOptions()
    {
        var requests = new List<(List<ChatMessage> Messages, ChatOptions? Options)>();
        var chat = FakeChatClient.Answering("from the host's model", requests);
        var services = new ServiceCollection();
        services.AddSingleton<IChatClient>(chat);
        services.AddTrainInsight().AddLlm(o => o.Temperature = 0.1f);
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var run = await new TestRun(bus: provider.GetRequiredService<ITelemetryBus>()).Losses([1.0, 0.5]).SettledAsync();

        var analysis = await provider.GetRequiredService<ITrainingAssistant>().AnalyzeAsync(new AssistantRequest(run.Id));

        analysis.Source.Should().Be(AssistantSource.Model);
        analysis.Text.Should().Be("from the host's model");
        requests.Should().ContainSingle().Which.Options!.Temperature.Should().Be(0.1f);
    }

    [Fact]
    public async Task AddLlm_ChatClientRegisteredAfterAddLlm_IsStillUsed()
    {
        var services = new ServiceCollection();
        services.AddTrainInsight().AddLlm();
        services.AddSingleton<IChatClient>(FakeChatClient.Answering("late"));
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var run = await new TestRun(bus: provider.GetRequiredService<ITelemetryBus>()).Losses([1.0]).SettledAsync();

        var analysis = await provider.GetRequiredService<ITrainingAssistant>().AnalyzeAsync(new AssistantRequest(run.Id));

        analysis.Text.Should().Be("late");
    }
}
