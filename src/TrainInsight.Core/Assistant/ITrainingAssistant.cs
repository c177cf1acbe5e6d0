namespace TrainInsight;

/// <summary>
/// Answers questions about a training run in words: analyses its state, suggests hyperparameter changes, explains the
/// diagnosis and chats about it, grounded in the run's stored telemetry.
/// </summary>
/// <remarks>
/// <para>
/// <c>TrainInsight.Llm</c> implements it over the host's <c>IChatClient</c>; without a chat client, or when the model is
/// down, slow or returns garbage, every operation still answers from the diagnosis's rules and says so
/// (<see cref="AssistantAnswer.Source"/> and <see cref="AssistantAnswer.Notice"/>). The streaming endpoints of
/// <c>TrainInsight.Streaming</c> map <c>/api/assistant/*</c> onto it when one is registered.
/// </para>
/// <para>
/// Implementations are thread-safe. They never throw because the model failed; they throw for bad input, an unknown run
/// and cancellation only.
/// </para>
/// </remarks>
public interface ITrainingAssistant
{
    /// <summary>Analyses the state of a run: where it stands, its trends and the diagnosis's findings explained.</summary>
    /// <param name="request">Which run, and in which language to answer.</param>
    /// <param name="cancellationToken">Cancels the analysis, including a pending model call.</param>
    /// <returns>The analysis.</returns>
    /// <exception cref="RunNotFoundException">Neither the bus nor the store has an event of the run.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    Task<AssistantAnswer> AnalyzeAsync(AssistantRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Analyses the state of a run as a stream of text: <see cref="AssistantUpdateKind.Delta"/> updates, a
    /// <see cref="AssistantUpdateKind.Reset"/> when the model failed part way (the rules' text follows), and one
    /// <see cref="AssistantUpdateKind.Completed"/> update last, with the whole answer.
    /// </summary>
    /// <param name="request">Which run, and in which language to answer.</param>
    /// <param name="cancellationToken">Cancels the analysis, including a pending model call.</param>
    /// <returns>The updates.</returns>
    /// <exception cref="RunNotFoundException">Neither the bus nor the store has an event of the run (thrown on the first move).</exception>
    IAsyncEnumerable<AssistantUpdate> AnalyzeStreamingAsync(AssistantRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Suggests hyperparameter changes, ranked: each with the parameter, its current and proposed value, rationale, expected
    /// effect, priority and confidence, and the control command that applies it live where one exists.
    /// </summary>
    /// <param name="request">Which run, and in which language to answer.</param>
    /// <param name="cancellationToken">Cancels the call, including a pending model call.</param>
    /// <returns>The answer; <see cref="AssistantAnswer.Suggestions"/> holds the suggestions.</returns>
    /// <exception cref="RunNotFoundException">Neither the bus nor the store has an event of the run.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    Task<AssistantAnswer> SuggestAsync(AssistantRequest request, CancellationToken cancellationToken = default);

    /// <summary>Diagnoses a run: the diagnosis's open findings, an explanation of their likely root cause and ranked fixes.</summary>
    /// <param name="request">Which run, and in which language to answer.</param>
    /// <param name="cancellationToken">Cancels the call, including a pending model call.</param>
    /// <returns>The answer; <see cref="AssistantAnswer.Findings"/> and <see cref="AssistantAnswer.Suggestions"/> hold the findings and fixes.</returns>
    /// <exception cref="RunNotFoundException">Neither the bus nor the store has an event of the run.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    Task<AssistantAnswer> DiagnoseAsync(AssistantRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Answers one message of a conversation about a run as a stream of text (updates as for
    /// <see cref="AnalyzeStreamingAsync"/>). The message and the answer are added to the conversation's history.
    /// </summary>
    /// <param name="request">The run, the message, and the conversation it continues (or none, to start one).</param>
    /// <param name="cancellationToken">Cancels the answer, including a pending model call; nothing is added to the history then.</param>
    /// <returns>The updates; the last one's answer carries the <see cref="AssistantAnswer.ConversationId"/>.</returns>
    /// <exception cref="RunNotFoundException">Neither the bus nor the store has an event of the run (thrown on the first move).</exception>
    IAsyncEnumerable<AssistantUpdate> ChatStreamingAsync(AssistantChatRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads a conversation's messages, oldest first.</summary>
    /// <param name="runId">The run the conversation is about.</param>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The messages; empty when there is no such conversation.</returns>
    Task<IReadOnlyList<ConversationMessage>> GetConversationAsync(string runId, string conversationId, CancellationToken cancellationToken = default);
}
