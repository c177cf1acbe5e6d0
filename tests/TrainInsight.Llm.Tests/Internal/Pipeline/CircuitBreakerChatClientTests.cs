using Microsoft.Extensions.AI;
using TrainInsight.Llm.Internal.Pipeline;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Internal.Pipeline;

public class CircuitBreakerChatClientTests
{
    private static readonly ChatMessage[] s_messages = [new(ChatRole.User, "hi")];

    [Fact]
    public async Task GetResponseAsync_FailuresInARow_OpenThenOneTrialClosesIt()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var fail = true;
        using var inner = new FakeChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => fail ? throw new HttpRequestException("down") : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))),
        };
        using var breaker = new CircuitBreakerChatClient(inner, new LlmOptions { CircuitBreakerFailures = 3, CircuitBreakerDuration = TimeSpan.FromSeconds(30) }, time);

        for (var i = 0; i < 3; i++)
        {
            await breaker.Invoking(b => b.GetResponseAsync(s_messages)).Should().ThrowAsync<HttpRequestException>();
        }

        breaker.IsOpen.Should().BeTrue();
        (await breaker.Invoking(b => b.GetResponseAsync(s_messages)).Should().ThrowAsync<ModelUnavailableException>())
            .WithMessage("The model failed 3 times in a row, so it is not called for now (circuit open, CircuitBreakerFailures 3); it is tried again in 30 s.");
        inner.Calls.Should().Be(3, "an open circuit does not call the model");

        time.Advance(TimeSpan.FromSeconds(30));
        fail = false;
        (await breaker.GetResponseAsync(s_messages)).Text.Should().Be("ok");
        breaker.IsOpen.Should().BeFalse();
        inner.Calls.Should().Be(4);
    }

    [Fact]
    public async Task GetResponseAsync_TrialFails_OpensAgain()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        using var inner = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => throw new TimeoutException("slow") };
        using var breaker = new CircuitBreakerChatClient(inner, new LlmOptions { CircuitBreakerFailures = 1, CircuitBreakerDuration = TimeSpan.FromSeconds(5) }, time);

        await breaker.Invoking(b => b.GetResponseAsync(s_messages)).Should().ThrowAsync<TimeoutException>();
        time.Advance(TimeSpan.FromSeconds(5));
        await breaker.Invoking(b => b.GetResponseAsync(s_messages)).Should().ThrowAsync<TimeoutException>("the trial goes through");

        breaker.IsOpen.Should().BeTrue();
        inner.Calls.Should().Be(2);
    }

    [Fact]
    public async Task GetResponseAsync_CallerCancels_IsNoFailure()
    {
        using var inner = new FakeChatClient
        {
            GetResponseAsyncCallback = async (_, _, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                throw new InvalidOperationException("unreachable");
            },
        };
        using var breaker = new CircuitBreakerChatClient(inner, new LlmOptions { CircuitBreakerFailures = 1 }, TimeProvider.System);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await breaker.Invoking(b => b.GetResponseAsync(s_messages, cancellationToken: cancel.Token)).Should().ThrowAsync<OperationCanceledException>();

        breaker.IsOpen.Should().BeFalse();
    }
}
