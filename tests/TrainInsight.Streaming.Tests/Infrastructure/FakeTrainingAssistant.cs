using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace TrainInsight.Streaming.Tests.Infrastructure;

/// <summary>
/// A hand-written <see cref="ITrainingAssistant"/>: records every call, answers with <see cref="Answer"/> (by default <see cref="CannedAnswer"/>), streams
/// <see cref="Updates"/> (by default delta, delta, reset, delta, completed), throws <see cref="RunNotFoundException"/> for
/// <see cref="UnknownRuns"/> (on the first move for streams), and can block until canceled.
/// </summary>
internal sealed class FakeTrainingAssistant : ITrainingAssistant
{
    private readonly TaskCompletionSource _canceled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets every call, in order: the operation and its request.</summary>
    public ConcurrentQueue<(AssistantOperation Operation, AssistantRequest Request)> Calls { get; } = new();

    /// <summary>Gets the GetConversationAsync calls: (run id, conversation id).</summary>
    public ConcurrentQueue<(string RunId, string ConversationId)> ConversationReads { get; } = new();

    /// <summary>Gets the runs the fake does not know.</summary>
    public HashSet<string> UnknownRuns { get; } = new(StringComparer.Ordinal) { "missing-run" };

    /// <summary>Gets or sets the answer of an operation; null (the default) for <see cref="CannedAnswer"/>.</summary>
    public Func<AssistantOperation, AssistantRequest, AssistantAnswer>? Answer { get; set; }

    /// <summary>
    /// Gets or sets the updates of a stream before its completed update (texts: "d:" for a delta, "r:" for a reset); the
    /// completed update with <see cref="Answer"/> follows. The default is a delta, a delta, a reset and a delta.
    /// </summary>
    public IReadOnlyList<string> Updates { get; set; } = ["d:Loss is ", "d:falling", "r:The model timed out.", "d:Rules: loss falls."];

    /// <summary>
    /// Gets or sets after how many updates a stream (or, at 0, an operation before answering) waits until its token is
    /// canceled; null for never. The default is null.
    /// </summary>
    public int? BlockAfter { get; set; }

    /// <summary>Gets or sets the conversations GetConversationAsync returns, by conversation id.</summary>
    public Dictionary<string, IReadOnlyList<ConversationMessage>> Conversations { get; } = new(StringComparer.Ordinal);

    /// <summary>Completes when a blocked call has seen its token canceled.</summary>
    public Task Canceled => _canceled.Task;

    /// <summary>Completes when a call started to block.</summary>
    public Task Blocked => _blocked.Task;

    /// <summary>
    /// Gets or sets what every call awaits before it checks the run (a stream: on its first move); null for nothing.
    /// The default is null.
    /// </summary>
    public Task? Gate { get; set; }

    /// <summary>Gets the finding every canned answer rests on (run-a's; not published unless a test publishes it).</summary>
    public FindingEvent Finding { get; } = TestEvents.Finding(TestEvents.Run("run-a"));

    public Task<AssistantAnswer> AnalyzeAsync(AssistantRequest request, CancellationToken cancellationToken = default) =>
        AnswerAsync(AssistantOperation.Analyze, request, cancellationToken);

    public Task<AssistantAnswer> SuggestAsync(AssistantRequest request, CancellationToken cancellationToken = default) =>
        AnswerAsync(AssistantOperation.Suggest, request, cancellationToken);

    public Task<AssistantAnswer> DiagnoseAsync(AssistantRequest request, CancellationToken cancellationToken = default) =>
        AnswerAsync(AssistantOperation.Diagnose, request, cancellationToken);

    public IAsyncEnumerable<AssistantUpdate> AnalyzeStreamingAsync(AssistantRequest request, CancellationToken cancellationToken = default) =>
        StreamAsync(AssistantOperation.Analyze, request, cancellationToken);

    public IAsyncEnumerable<AssistantUpdate> ChatStreamingAsync(AssistantChatRequest request, CancellationToken cancellationToken = default) =>
        StreamAsync(AssistantOperation.Chat, request, cancellationToken);

    public Task<IReadOnlyList<ConversationMessage>> GetConversationAsync(string runId, string conversationId, CancellationToken cancellationToken = default)
    {
        ConversationReads.Enqueue((runId, conversationId));
        return Task.FromResult(Conversations.TryGetValue(conversationId, out var messages) ? messages : (IReadOnlyList<ConversationMessage>)[]);
    }

    /// <summary>An answer with every member set: a finding, a suggestion with a live command and one without.</summary>
    public AssistantAnswer CannedAnswer(AssistantOperation operation, AssistantRequest request) => new()
    {
        RunId = request.RunId,
        Operation = operation,
        Source = AssistantSource.Model,
        Text = $"The {operation} of {request.RunId}: lower the learning rate.",
        Language = request.Language ?? "en",
        Notice = "Repaired in the model's output: priority 0 → 1.",
        ConversationId = operation == AssistantOperation.Chat ? ((AssistantChatRequest)request).ConversationId ?? "c-new" : null,
        ModelId = "qwen2.5-7b-instruct",
        InputTokens = 1_234,
        OutputTokens = 56,
        ContextTokens = 900,
        Elapsed = TimeSpan.FromMilliseconds(1_500.4),
        Findings = [Finding],
        Suggestions =
        [
            new HyperparameterSuggestion("learning_rate", "train_loss swings by 46% at 0.001.", "The loss settles within 200 steps.")
            {
                CurrentValue = 0.001,
                ProposedValue = 0.0001,
                Priority = 1,
                Confidence = 0.8,
                Commands = [new FixCommand(ControlAction.SetLearningRate, 0.0001), new FixCommand(ControlAction.SaveCheckpoint)],
                FindingId = Finding.FindingId,
            },
            new HyperparameterSuggestion("call_zero_grad", "Gradients grow every step.", "Gradients stop accumulating.") { Priority = 2, Confidence = 0.5 },
        ],
    };

    private async Task<AssistantAnswer> AnswerAsync(AssistantOperation operation, AssistantRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue((operation, request));
        await Task.Yield();
        if (Gate is { } gate)
        {
            await gate.WaitAsync(cancellationToken);
        }

        ThrowIfUnknown(request);
        if (BlockAfter == 0)
        {
            await BlockAsync(cancellationToken);
        }

        return (Answer ?? CannedAnswer)(operation, request);
    }

    private async IAsyncEnumerable<AssistantUpdate> StreamAsync(
        AssistantOperation operation, AssistantRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Calls.Enqueue((operation, request));
        await Task.Yield();
        if (Gate is { } gate)
        {
            await gate.WaitAsync(cancellationToken);
        }

        ThrowIfUnknown(request);
        for (var i = 0; i < Updates.Count; i++)
        {
            if (BlockAfter == i)
            {
                await BlockAsync(cancellationToken);
            }

            var text = Updates[i];
            yield return text.StartsWith("r:", StringComparison.Ordinal) ? AssistantUpdate.Reset(text[2..]) : AssistantUpdate.Delta(text[2..]);
        }

        if (BlockAfter == Updates.Count)
        {
            await BlockAsync(cancellationToken);
        }

        yield return AssistantUpdate.Completed((Answer ?? CannedAnswer)(operation, request));
    }

    private void ThrowIfUnknown(AssistantRequest request)
    {
        if (UnknownRuns.Contains(request.RunId))
        {
            throw new RunNotFoundException($"Run '{request.RunId}' is unknown: neither the bus nor the store has an event of it.") { RunId = request.RunId };
        }
    }

    private async Task BlockAsync(CancellationToken cancellationToken)
    {
        _blocked.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _canceled.TrySetResult();
            throw;
        }
    }
}
