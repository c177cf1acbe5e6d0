using Microsoft.Extensions.AI;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Assistant;

public class SuggestTests
{
    private const string Valid =
        """
        {"summary":"The loss fell 80 % but is now flat at 0.43.",
         "suggestions":[
           {"parameter":"learning_rate","current_value":0.01,"proposed_value":0.003,"rationale":"train_loss flat for 40 steps","expected_effect":"loss falls again within an epoch","priority":1,"confidence":0.7},
           {"parameter":"weight_decay","current_value":null,"proposed_value":0.0005,"rationale":"no regularisation","expected_effect":"smaller gap","priority":2,"confidence":0.4}]}
        """;

    [Fact]
    public async Task SuggestAsync_ValidJson_TypedSuggestionsWithLiveCommands()
    {
        using var fixture = await RunAsync();
        var requests = new List<(List<ChatMessage> Messages, ChatOptions? Options)>();
        using var chat = FakeChatClient.Answering(Valid, requests);

        var answer = await fixture.Assistant(chat).SuggestAsync(new AssistantRequest(fixture.Run.Id));

        answer.Source.Should().Be(AssistantSource.Model);
        answer.Notice.Should().BeNull();
        answer.Suggestions.Should().HaveCount(2);
        var lr = answer.Suggestions[0];
        lr.Parameter.Should().Be("learning_rate");
        lr.CurrentValue.Should().Be(0.01);
        lr.ProposedValue.Should().Be(0.003);
        lr.Priority.Should().Be(1);
        lr.Confidence.Should().Be(0.7);
        lr.Commands.Should().ContainSingle().Which.Should().Match<FixCommand>(c => c.Action == ControlAction.SetLearningRate && c.Value == 0.003);
        answer.Suggestions[1].Commands.Single().Action.Should().Be(ControlAction.SetWeightDecay);
        answer.Text.Should().StartWith("The loss fell 80 % but is now flat at 0.43.").And.Contain("1. learning_rate: 0.01 → 0.003 (confidence 0.7, can be applied live)");
        var options = requests.Single().Options!;
        options.ResponseFormat.Should().BeOfType<ChatResponseFormatJson>().Which.Schema.Should().NotBeNull();
        options.ResponseFormat.As<ChatResponseFormatJson>().Schema!.Value.GetRawText().Should().Contain("proposed_value").And.Contain("expected_effect");
        requests.Single().Messages[0].Text.Should().Contain("suggest at most 5 concrete adjustments");
    }

    [Fact]
    public async Task SuggestAsync_RepairableOutput_RepairsAndSaysWhat()
    {
        using var fixture = await RunAsync();
        const string Messy =
            """
            Sure! Here you go:
            ```json
            {"suggestions":[{"parameter":"Learning Rate","current_value":0.1,"proposed_value":"3e-3","rationale":"flat loss","expected_effect":"falls again","confidence":70}]}
            ```
            """;
        using var chat = FakeChatClient.Answering(Messy);

        var answer = await fixture.Assistant(chat).SuggestAsync(new AssistantRequest(fixture.Run.Id));

        answer.Source.Should().Be(AssistantSource.Model);
        var s = answer.Suggestions.Should().ContainSingle().Subject;
        s.Parameter.Should().Be("learning_rate");
        s.ProposedValue.Should().Be(0.003);
        s.CurrentValue.Should().Be(0.01, "the run reports 0.01, whatever the model says");
        s.Confidence.Should().Be(0.7);
        answer.Notice.Should().StartWith("Repaired in the model's output:")
            .And.Contain("text around the JSON object ignored")
            .And.Contain("parameter 'Learning Rate' read as learning_rate")
            .And.Contain("proposed_value \"3e-3\" read as the number 0.003")
            .And.Contain("current value 0.1 corrected to 0.01, what the run reports")
            .And.Contain("confidence 70 read as a percentage");
    }

    [Fact]
    public async Task SuggestAsync_SomeInvalid_DropsThemWithReasons()
    {
        using var fixture = await RunAsync();
        const string Mixed =
            """
            {"suggestions":[
              {"parameter":"once_upon_a_time","proposed_value":1,"rationale":"x","expected_effect":"y","priority":1,"confidence":0.5},
              {"parameter":"learning_rate","proposed_value":-1,"rationale":"x","expected_effect":"y","priority":2,"confidence":0.5},
              {"parameter":"batch_size","proposed_value":64,"rationale":"x","expected_effect":"y","priority":3,"confidence":0.5},
              {"parameter":"momentum","proposed_value":0.95,"rationale":"","expected_effect":"y","priority":4,"confidence":0.5},
              {"parameter":"dropout","proposed_value":0.2,"rationale":"overfits","expected_effect":"smaller gap","priority":5,"confidence":0.5}]}
            """;
        using var chat = FakeChatClient.Answering(Mixed);

        var answer = await fixture.Assistant(chat).SuggestAsync(new AssistantRequest(fixture.Run.Id));

        answer.Suggestions.Should().ContainSingle().Which.Parameter.Should().Be("dropout");
        answer.Suggestions[0].Priority.Should().Be(1, "the kept suggestions are ranked anew");
        answer.Notice.Should().Contain("Dropped from the model's output:")
            .And.Contain("suggestion 1 (once_upon_a_time): 'once_upon_a_time' is neither a hyperparameter of this run nor a known one")
            .And.Contain("suggestion 2 (learning_rate): proposed value -1 is not in (0, 10]")
            .And.Contain("suggestion 3 (batch_size): proposes no change (64)")
            .And.Contain("suggestion 4 (momentum): no rationale");
    }

    [Theory]
    [InlineData("Once upon a time there was a little dog.", "the model's answer is not JSON (it begins \"Once upon a time there was a little dog.\")")]
    [InlineData("{\"suggestions\": [", "the model's answer is not JSON")]
    [InlineData("{\"advice\": \"lower it\"}", "the JSON has no \"suggestions\" array")]
    [InlineData("{\"suggestions\": [{\"parameter\": \"the_dog\", \"rationale\": \"a\", \"expected_effect\": \"b\"}]}", "none of its suggestions was valid: suggestion 1 (the_dog)")]
    public async Task SuggestAsync_Unusable_FallsBackToRulesWithTheReason(string output, string reason)
    {
        using var fixture = await RunAsync();
        using var chat = FakeChatClient.Answering(output);
        var assistant = fixture.Assistant(chat);

        var answer = await assistant.SuggestAsync(new AssistantRequest(fixture.Run.Id));

        answer.Source.Should().Be(AssistantSource.Rules);
        answer.Notice.Should().StartWith("The model's answer was not usable (" + reason);
        answer.Text.Should().Contain("The diagnosis found no problem, so no hyperparameter change is suggested now");
        assistant.Fallbacks.Should().Be(1);
    }

    private static async Task<AssistantFixture> RunAsync()
    {
        var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(30), extra: v => v[MetricNames.LearningRate] = 0.01).SettledAsync();
        return fixture;
    }
}
