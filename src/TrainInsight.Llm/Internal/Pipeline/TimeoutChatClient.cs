using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace TrainInsight.Llm.Internal.Pipeline;

/// <summary>
/// Bounds each model call by <see cref="LlmOptions.RequestTimeout"/> and, when streamed, the wait for each piece by
/// <see cref="LlmOptions.StreamIdleTimeout"/>; a call over time is canceled and throws <see cref="TimeoutException"/>
/// (the caller's own cancellation still throws <see cref="OperationCanceledException"/>).
/// </summary>
internal sealed class TimeoutChatClient(IChatClient inner, LlmOptions settings) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var timeout = settings.RequestTimeout;
        using var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(timeout);
        try
        {
            return await base.GetResponseAsync(messages, options, source.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The model did not answer within {timeout.TotalSeconds:0.###} s (RequestTimeout).", ex);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var total = settings.RequestTimeout;
        var idle = settings.StreamIdleTimeout;
        using var totalSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        totalSource.CancelAfter(total);
        using var idleSource = CancellationTokenSource.CreateLinkedTokenSource(totalSource.Token);
        var first = true;
        var e = base.GetStreamingResponseAsync(messages, options, idleSource.Token).GetAsyncEnumerator(idleSource.Token);
        await using var disposeE = e.ConfigureAwait(false);
        while (true)
        {
            bool more;
            try
            {
                // The idle clock runs while waiting for the model only, not while the consumer handles a piece.
                idleSource.CancelAfter(idle);
                more = await e.MoveNextAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw totalSource.IsCancellationRequested
                    ? new TimeoutException($"The model did not finish within {total.TotalSeconds:0.###} s (RequestTimeout).", ex)
                    : new TimeoutException(first
                        ? $"The model sent nothing within {idle.TotalSeconds:0.###} s (StreamIdleTimeout)."
                        : $"The model stopped sending for more than {idle.TotalSeconds:0.###} s (StreamIdleTimeout).", ex);
            }

            if (!more)
            {
                yield break;
            }

            first = false;
            idleSource.CancelAfter(Timeout.InfiniteTimeSpan);
            yield return e.Current;
        }
    }
}
