using Microsoft.Extensions.AI;

namespace TrainInsight.Llm.Tests.Infrastructure;

/// <summary>A hand-written <see cref="IChatClient"/> whose behaviour each test sets through callbacks.</summary>
internal sealed class FakeChatClient : IChatClient
{
    public Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>>? GetResponseAsyncCallback { get; set; }

    public Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>>? GetStreamingResponseAsyncCallback { get; set; }

    public Func<Type, object?, object?>? GetServiceCallback { get; set; }

    public int Calls { get; private set; }

    public bool Disposed { get; private set; }

    /// <summary>A fake that answers <paramref name="text"/> and records what it was asked.</summary>
    public static FakeChatClient Answering(string text, List<(List<ChatMessage> Messages, ChatOptions? Options)>? requests = null) => new()
    {
        GetResponseAsyncCallback = (messages, options, _) =>
        {
            requests?.Add((messages.ToList(), options));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)));
        },
    };

    /// <summary>A fake that streams <paramref name="pieces"/> (then usage), recording what it was asked.</summary>
    public static FakeChatClient Streaming(IReadOnlyList<string> pieces, List<(List<ChatMessage> Messages, ChatOptions? Options)>? requests = null, Exception? failAfter = null) => new()
    {
        GetStreamingResponseAsyncCallback = (messages, options, ct) =>
        {
            requests?.Add((messages.ToList(), options));
            return Stream(pieces, failAfter, ct);
        },
    };

    public static async IAsyncEnumerable<ChatResponseUpdate> Stream(IReadOnlyList<string> pieces, Exception? failAfter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var piece in pieces)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { ModelId = "fake-model" };
        }

        if (failAfter is not null)
        {
            throw failAfter;
        }

        yield return new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = 100, OutputTokenCount = pieces.Count, TotalTokenCount = 100 + pieces.Count })] };
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        return GetResponseAsyncCallback is { } callback
            ? callback(messages, options, cancellationToken)
            : throw new InvalidOperationException("GetResponseAsyncCallback is not set.");
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsyncCallback is { } callback
            ? callback(messages, options, cancellationToken)
            : throw new InvalidOperationException("GetStreamingResponseAsyncCallback is not set.");

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        GetServiceCallback is { } callback ? callback(serviceType, serviceKey) : serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() => Disposed = true;
}
