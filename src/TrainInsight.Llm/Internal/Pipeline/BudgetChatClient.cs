using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using TrainInsight.Llm.Internal.Context;

namespace TrainInsight.Llm.Internal.Pipeline;

/// <summary>
/// Enforces <see cref="LlmOptions.MaxCallsPerMinute"/> and <see cref="LlmOptions.MaxTokensPerDay"/>: a call over budget
/// throws <see cref="ModelUnavailableException"/> without reaching the model. Tokens are the usage the model reports, or an
/// estimate of the messages and the answer when it reports none.
/// </summary>
internal sealed class BudgetChatClient(IChatClient inner, LlmOptions settings, TimeProvider time) : DelegatingChatClient(inner)
{
    private readonly Lock _gate = new();
    private readonly Queue<DateTimeOffset> _calls = new();
    private DateOnly _day;
    private long _tokensToday;

    public long TokensToday
    {
        get
        {
            lock (_gate)
            {
                return _day == DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime) ? _tokensToday : 0;
            }
        }
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        Admit();
        var response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        Charge(response.Usage, list, response.Text);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        Admit();
        UsageDetails? usage = null;
        var chars = 0L;
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false))
            {
                foreach (var content in update.Contents)
                {
                    if (content is UsageContent u)
                    {
                        usage = u.Details;
                    }
                }

                chars += update.Text.Length;
                yield return update;
            }
        }
        finally
        {
            Charge(usage, list, chars);
        }
    }

    private void Admit()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            while (_calls.Count > 0 && now - _calls.Peek() >= TimeSpan.FromMinutes(1))
            {
                _calls.Dequeue();
            }

            if (_calls.Count >= settings.MaxCallsPerMinute)
            {
                var wait = _calls.Peek() + TimeSpan.FromMinutes(1) - now;
                throw new ModelUnavailableException(
                    $"The model call budget is spent ({settings.MaxCallsPerMinute:N0} calls per minute, MaxCallsPerMinute); the next call is possible in {Math.Max(1, Math.Ceiling(wait.TotalSeconds)):0} s.");
            }

            RollDay(now);
            if (_tokensToday >= settings.MaxTokensPerDay)
            {
                throw new ModelUnavailableException(
                    $"The token budget is spent ({_tokensToday:N0} of {settings.MaxTokensPerDay:N0} tokens today, MaxTokensPerDay); it renews at midnight UTC.");
            }

            _calls.Enqueue(now);
        }
    }

    private void Charge(UsageDetails? usage, IReadOnlyList<ChatMessage> messages, string answer) => Charge(usage, messages, (long)answer.Length);

    private void Charge(UsageDetails? usage, IReadOnlyList<ChatMessage> messages, long answerChars)
    {
        var tokens = usage?.TotalTokenCount ?? ((usage?.InputTokenCount ?? 0) + (usage?.OutputTokenCount ?? 0));
        if (tokens <= 0)
        {
            tokens = messages.Sum(m => (long)TokenEstimator.Estimate(m.Text)) + (answerChars / 4) + 1;
        }

        lock (_gate)
        {
            RollDay(time.GetUtcNow());
            _tokensToday += tokens;
        }
    }

    private void RollDay(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (today != _day)
        {
            _day = today;
            _tokensToday = 0;
        }
    }
}
