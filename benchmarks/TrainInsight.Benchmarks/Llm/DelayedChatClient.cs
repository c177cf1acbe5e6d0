using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace TrainInsight.Benchmarks.Llm;

/// <summary>A chat client that answers after a fixed delay, then streams a few short pieces: a model whose latency is known.</summary>
internal sealed class DelayedChatClient(TimeSpan delay, int pieces) : IChatClient
{
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, "The loss falls steadily."));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < pieces; i++)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, "token ");
            await Task.Yield();
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
