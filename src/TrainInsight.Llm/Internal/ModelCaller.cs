using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using TrainInsight.Llm.Internal.Rules;

namespace TrainInsight.Llm.Internal;

/// <summary>
/// Calls the model for one answer and falls back to the rules when it fails: errors, timeouts, budgets and an open circuit
/// become a rules answer with a notice; only the caller's cancellation escapes. Counts what happened.
/// </summary>
internal sealed class ModelCaller(IChatClient? client, ILogger logger)
{
    private long _modelAnswers;
    private long _rulesAnswers;
    private long _fallbacks;

    /// <summary>The notice of a model answer that stopped at its output limit.</summary>
    public const string Truncated = "The model's answer was cut short: it reached its output limit (MaxOutputTokens or the model's context) before it finished.";

    public bool HasModel => client is not null;

    public long ModelAnswers => Interlocked.Read(ref _modelAnswers);

    public long RulesAnswers => Interlocked.Read(ref _rulesAnswers);

    public long Fallbacks => Interlocked.Read(ref _fallbacks);

    public void CountModel() => Interlocked.Increment(ref _modelAnswers);

    public void CountRules() => Interlocked.Increment(ref _rulesAnswers);

    /// <summary>Gets a whole response, or the notice saying why there is none.</summary>
    public async Task<(ChatResponse? Response, string? Notice)> GetAsync(
        Func<IChatClient, CancellationToken, Task<ChatResponse>> call, AssistantOperation operation, string runId, CancellationToken cancellationToken)
    {
        if (client is null)
        {
            return (null, RulesNotice.NoChatClient);
        }

        try
        {
            var response = await call(client, cancellationToken).ConfigureAwait(false);

            // A client may end early, without throwing, when the token trips (LLamaSharp's executor does).
            cancellationToken.ThrowIfCancellationRequested();
            return (response, null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, Failed(ex, operation, runId));
        }
    }

    /// <summary>Records a failure once: logged with its cause (or, for budgets and an open circuit, its reason) and counted.</summary>
    public string Failed(Exception ex, AssistantOperation operation, string runId)
    {
        Interlocked.Increment(ref _fallbacks);
        if (ex is Pipeline.ModelUnavailableException)
        {
            AssistantLog.ModelSkipped(logger, operation, runId, ex.Message);
        }
        else
        {
            AssistantLog.ModelFailed(logger, operation, runId, ex);
        }

        return RulesNotice.Failed(ex);
    }

    public string Rejected(string reason, AssistantOperation operation, string runId)
    {
        Interlocked.Increment(ref _fallbacks);
        AssistantLog.ModelOutputRejected(logger, operation, runId, reason);
        return $"The model's answer was not usable ({reason}); this answer comes from the rules.";
    }

    /// <summary>
    /// Streams the model's answer; on failure part way, a reset and then the rules' text. <paramref name="finish"/> makes the
    /// final answer from the text, the source, the notice and the usage.
    /// </summary>
    public async IAsyncEnumerable<AssistantUpdate> StreamAsync(
        List<ChatMessage>? messages,
        ChatOptions? options,
        Func<CancellationToken, Task<string>> rulesText,
        string? rulesNotice,
        Func<StreamResult, Task<AssistantAnswer>> finish,
        AssistantOperation operation,
        string runId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        string? notice = rulesNotice;
        UsageDetails? usage = null;
        string? modelId = null;
        ChatFinishReason? finishReason = null;
        var fromModel = false;
        if (client is not null && messages is not null)
        {
            IAsyncEnumerator<ChatResponseUpdate>? e = null;
            try
            {
                e = client.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
                while (true)
                {
                    ChatResponseUpdate? update = null;
                    Exception? failure = null;
                    try
                    {
                        if (!await e.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        update = e.Current;
                    }
                    catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        failure = ex;
                    }

                    if (failure is not null || update is null)
                    {
                        notice = failure is null ? Rejected("it sent a null update", operation, runId) : Failed(failure, operation, runId);
                        if (text.Length > 0)
                        {
                            text.Clear();
                            fromModel = false;
                            yield return AssistantUpdate.Reset(notice);
                        }

                        break;
                    }

                    // Some clients stop quietly when the token trips, or pass on pieces already decoded: the caller's
                    // cancellation wins over whatever they still send.
                    cancellationToken.ThrowIfCancellationRequested();
                    modelId ??= update.ModelId;
                    finishReason = update.FinishReason ?? finishReason;
                    foreach (var content in update.Contents)
                    {
                        if (content is UsageContent u)
                        {
                            usage = u.Details;
                        }
                    }

                    var piece = update.Text;
                    if (piece.Length > 0)
                    {
                        text.Append(piece);
                        fromModel = true;
                        yield return AssistantUpdate.Delta(piece);
                    }
                }
            }
            finally
            {
                if (e is not null)
                {
                    await e.DisposeAsync().ConfigureAwait(false);
                }
            }

            if (fromModel && string.IsNullOrWhiteSpace(text.ToString()))
            {
                notice = Rejected("it was only white space", operation, runId);
                yield return AssistantUpdate.Reset(notice);
                text.Clear();
                fromModel = false;
            }
            else if (!fromModel && notice is null)
            {
                notice = Rejected("it was empty", operation, runId);
            }
        }

        if (!fromModel)
        {
            var rules = await rulesText(cancellationToken).ConfigureAwait(false);
            foreach (var line in Chunk(rules))
            {
                yield return AssistantUpdate.Delta(line);
            }

            text.Clear().Append(rules);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (fromModel && finishReason == ChatFinishReason.Length)
        {
            notice = Truncated;
        }

        var answer = await finish(new StreamResult(text.ToString(), fromModel, notice, usage, modelId)).ConfigureAwait(false);
        if (fromModel)
        {
            CountModel();
        }
        else
        {
            CountRules();
        }

        yield return AssistantUpdate.Completed(answer);
    }

    /// <summary>The rules' text as deltas of one line each, so a streamed rules answer looks like a streamed model answer.</summary>
    private static IEnumerable<string> Chunk(string text)
    {
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            yield return text[start..end];
            start = end;
        }
    }
}

/// <summary>What a streamed answer ended with.</summary>
internal sealed record StreamResult(string Text, bool FromModel, string? Notice, UsageDetails? Usage, string? ModelId);
