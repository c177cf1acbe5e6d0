using Microsoft.Extensions.AI;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Assistant;

public class ChatTests
{
    [Fact]
    public async Task ChatStreamingAsync_TwoTurns_SecondPromptCarriesTheHistoryAndBothAreStored()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(20)).SettledAsync();
        var requests = new List<(List<ChatMessage> Messages, ChatOptions? Options)>();
        var turn = 0;
        using var chat = new FakeChatClient
        {
            GetStreamingResponseAsyncCallback = (m, o, ct) =>
            {
                requests.Add((m.ToList(), o));
                return FakeChatClient.Stream([++turn == 1 ? "It is healthy." : "Yes, 0.7547."], null, ct);
            },
        };
        var assistant = fixture.Assistant(chat);

        var first = (await assistant.ChatStreamingAsync(new AssistantChatRequest(fixture.Run.Id, "How is it going?")).ToListAsync())[^1].Answer!;
        var second = (await assistant.ChatStreamingAsync(new AssistantChatRequest(fixture.Run.Id, "Is the loss below 0.8?") { ConversationId = first.ConversationId }).ToListAsync())[^1].Answer!;

        first.ConversationId.Should().StartWith("c-");
        second.ConversationId.Should().Be(first.ConversationId);
        second.Text.Should().Be("Yes, 0.7547.");
        requests[1].Messages.Select(m => (m.Role, m.Text)).Skip(1).Should().Equal(
            (ChatRole.User, "How is it going?"), (ChatRole.Assistant, "It is healthy."), (ChatRole.User, "Is the loss below 0.8?"));
        requests[1].Options!.Tools.Should().HaveCount(5);
        requests[1].Options!.Tools!.Select(t => t.Name).Should().BeEquivalentTo("get_current_metrics", "get_metric_history", "get_findings", "get_run_info", "compare_runs");
        var stored = await assistant.GetConversationAsync(fixture.Run.Id, first.ConversationId!);
        stored.Select(m => (m.Role, m.Text, m.Source)).Should().Equal(
            (ConversationRole.User, "How is it going?", (AssistantSource?)null),
            (ConversationRole.Assistant, "It is healthy.", AssistantSource.Model),
            (ConversationRole.User, "Is the loss below 0.8?", null),
            (ConversationRole.Assistant, "Yes, 0.7547.", AssistantSource.Model));
    }

    [Fact]
    public async Task ChatStreamingAsync_ModelCallsATool_ToolReadsTheStoreAndTheModelGetsTheResult()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(50)).SettledAsync();
        var calls = 0;
        List<ChatMessage>? second = null;
        using var chat = new FakeChatClient
        {
            GetStreamingResponseAsyncCallback = (m, o, ct) =>
            {
                calls++;
                if (calls == 1)
                {
                    return Updates(new ChatResponseUpdate(ChatRole.Assistant, [new FunctionCallContent("call-1", "get_metric_history", new Dictionary<string, object?> { ["name"] = "train_loss", ["points"] = 3 })]));
                }

                second = m.ToList();
                return FakeChatClient.Stream(["It went from 2 to 0.162."], null, ct);
            },
        };

        var answer = (await fixture.Assistant(chat).ChatStreamingAsync(new AssistantChatRequest(fixture.Run.Id, "Show me the loss history")).ToListAsync())[^1].Answer!;

        answer.Source.Should().Be(AssistantSource.Model);
        answer.Text.Should().Be("It went from 2 to 0.162.");
        var result = second!.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single();
        result.CallId.Should().Be("call-1");
        result.Result!.ToString().Should().Contain("train_loss (3 points, step:value): 1:2 25:0.584 50:0.162").And.Contain("<run_data>");
    }

    [Fact]
    public async Task ChatStreamingAsync_NoModel_RulesAnswerTheIntentAndAreStored()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(20)).SettledAsync();
        var assistant = fixture.Assistant();

        var answer = (await assistant.ChatStreamingAsync(new AssistantChatRequest(fixture.Run.Id, "有什么调参建议吗？")).ToListAsync())[^1].Answer!;

        answer.Source.Should().Be(AssistantSource.Rules);
        answer.Language.Should().Be("zh");
        answer.Notice.Should().Contain("cannot hold a conversation");
        answer.Text.Should().Contain("诊断未发现问题，目前无需调整超参数");
        (await assistant.GetConversationAsync(fixture.Run.Id, answer.ConversationId!)).Should().HaveCount(2);
    }

    [Fact]
    public async Task ChatStreamingAsync_Canceled_StoresNothing()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(20)).SettledAsync();
        using var cancel = new CancellationTokenSource();
        using var chat = new FakeChatClient { GetStreamingResponseAsyncCallback = (_, _, ct) => Endless(ct) };
        var assistant = fixture.Assistant(chat);
        var request = new AssistantChatRequest(fixture.Run.Id, "hello") { ConversationId = "conv-1" };

        var act = async () =>
        {
            await foreach (var update in assistant.ChatStreamingAsync(request, cancel.Token))
            {
                await cancel.CancelAsync();
            }
        };

        await act.Should().ThrowAsync<OperationCanceledException>();
        (await assistant.GetConversationAsync(fixture.Run.Id, "conv-1")).Should().BeEmpty();
        assistant.Fallbacks.Should().Be(0);

        static async IAsyncEnumerable<ChatResponseUpdate> Endless([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            while (true)
            {
                await Task.Delay(10, ct);
                yield return new ChatResponseUpdate(ChatRole.Assistant, "la ");
            }
        }
    }

    [Fact]
    public async Task ChatStreamingAsync_LongHistory_TrimmedToTheBudgetWithASummary()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(5)).SettledAsync();
        var long1 = string.Join(' ', Enumerable.Repeat("word", 400));
        var at = DateTimeOffset.UtcNow;
        await fixture.Store.AppendConversationAsync(
        [
            new() { RunId = "run-a", ConversationId = "conv", Role = ConversationRole.User, Text = "first question " + long1, Timestamp = at },
            new() { RunId = "run-a", ConversationId = "conv", Role = ConversationRole.Assistant, Text = "first answer " + long1, Timestamp = at },
            new() { RunId = "run-a", ConversationId = "conv", Role = ConversationRole.User, Text = "second question", Timestamp = at },
            new() { RunId = "run-a", ConversationId = "conv", Role = ConversationRole.Assistant, Text = "second answer", Timestamp = at },
        ]);
        var requests = new List<(List<ChatMessage> Messages, ChatOptions? Options)>();
        using var chat = FakeChatClient.Streaming(["ok"], requests);

        await fixture.Assistant(chat, new LlmOptions { HistoryTokenBudget = 300 })
            .ChatStreamingAsync(new AssistantChatRequest("run-a", "third question") { ConversationId = "conv" }).ToListAsync();

        var messages = requests.Single().Messages;
        messages.Skip(1).Select(m => m.Text).Should().Equal("second question", "second answer", "third question");
        messages[0].Text.Should().Contain("Earlier in this conversation (2 messages trimmed to fit the budget):")
            .And.Contain("user: \"first question word word");
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Updates(params ChatResponseUpdate[] updates)
    {
        foreach (var update in updates)
        {
            await Task.Yield();
            yield return update;
        }
    }
}
