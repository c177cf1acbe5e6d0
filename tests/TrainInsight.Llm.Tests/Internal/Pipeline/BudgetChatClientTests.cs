using Microsoft.Extensions.AI;
using TrainInsight.Llm.Internal.Pipeline;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Internal.Pipeline;

public class BudgetChatClientTests
{
    private static readonly ChatMessage[] s_messages = [new(ChatRole.User, "hi")];

    [Fact]
    public async Task GetResponseAsync_OverCallsPerMinute_ThrowsWithoutCallingTheModelUntilTheMinutePasses()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        using var inner = FakeChatClient.Answering("ok");
        using var budget = new BudgetChatClient(inner, new LlmOptions { MaxCallsPerMinute = 2 }, time);

        await budget.GetResponseAsync(s_messages);
        time.Advance(TimeSpan.FromSeconds(10));
        await budget.GetResponseAsync(s_messages);
        var act = () => budget.GetResponseAsync(s_messages);

        (await act.Should().ThrowAsync<ModelUnavailableException>())
            .WithMessage("The model call budget is spent (2 calls per minute, MaxCallsPerMinute); the next call is possible in 50 s.");
        inner.Calls.Should().Be(2);
        time.Advance(TimeSpan.FromSeconds(50));
        await budget.GetResponseAsync(s_messages);
        inner.Calls.Should().Be(3);
    }

    [Fact]
    public async Task GetResponseAsync_OverTokensPerDay_ThrowsUntilMidnightUtc()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 2, 23, 0, 0, TimeSpan.Zero));
        using var inner = new FakeChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
            {
                Usage = new UsageDetails { InputTokenCount = 700, OutputTokenCount = 400, TotalTokenCount = 1_100 },
            }),
        };
        using var budget = new BudgetChatClient(inner, new LlmOptions { MaxTokensPerDay = 2_000 }, time);

        await budget.GetResponseAsync(s_messages);
        await budget.GetResponseAsync(s_messages);
        budget.TokensToday.Should().Be(2_200);
        var act = () => budget.GetResponseAsync(s_messages);

        (await act.Should().ThrowAsync<ModelUnavailableException>()).WithMessage("The token budget is spent (2,200 of 2,000 tokens today, MaxTokensPerDay); it renews at midnight UTC.");
        time.Advance(TimeSpan.FromHours(1));
        budget.TokensToday.Should().Be(0);
        await budget.GetResponseAsync(s_messages);
        inner.Calls.Should().Be(3);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_NoUsageReported_ChargesAnEstimate()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        using var inner = new FakeChatClient { GetStreamingResponseAsyncCallback = (_, _, ct) => Pieces(ct) };
        using var budget = new BudgetChatClient(inner, new LlmOptions(), time);

        await foreach (var _ in budget.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, new string('a', 400))]))
        {
        }

        budget.TokensToday.Should().Be(120 + (40 / 4) + 1, "400 letters of prompt (0.3 each) and 40 characters of answer");

        static async IAsyncEnumerable<ChatResponseUpdate> Pieces([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            for (var i = 0; i < 4; i++)
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, "0123456789");
            }
        }
    }
}
