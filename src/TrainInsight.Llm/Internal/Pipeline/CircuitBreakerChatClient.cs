using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace TrainInsight.Llm.Internal.Pipeline;

/// <summary>
/// Opens after <see cref="LlmOptions.CircuitBreakerFailures"/> failed calls in a row (errors and timeouts; a caller's
/// cancellation is no failure): calls then throw <see cref="ModelUnavailableException"/> at once for
/// <see cref="LlmOptions.CircuitBreakerDuration"/>; after that one trial call goes through, and its outcome closes the
/// circuit or opens it again.
/// </summary>
internal sealed class CircuitBreakerChatClient(IChatClient inner, LlmOptions settings, TimeProvider time) : DelegatingChatClient(inner)
{
    private readonly Lock _gate = new();
    private int _failures;
    private DateTimeOffset? _openUntil;
    private bool _trialInFlight;

    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _openUntil is { } until && time.GetUtcNow() < until;
            }
        }
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var trial = Admit();
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            Succeeded();
            return response;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            Failed();
            throw;
        }
        finally
        {
            EndTrial(trial);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var trial = Admit();
        try
        {
            var e = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using var disposeE = e.ConfigureAwait(false);
            while (true)
            {
                bool more;
                try
                {
                    more = await e.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    Failed();
                    throw;
                }

                if (!more)
                {
                    break;
                }

                yield return e.Current;
            }

            Succeeded();
        }
        finally
        {
            EndTrial(trial);
        }
    }

    private bool Admit()
    {
        lock (_gate)
        {
            if (_openUntil is not { } until)
            {
                return false;
            }

            var now = time.GetUtcNow();
            if (now < until || _trialInFlight)
            {
                var wait = now < until ? until - now : TimeSpan.Zero;
                throw new ModelUnavailableException(
                    $"The model failed {_failures:N0} times in a row, so it is not called for now (circuit open, CircuitBreakerFailures {settings.CircuitBreakerFailures:N0}); " +
                    (wait > TimeSpan.Zero ? $"it is tried again in {Math.Ceiling(wait.TotalSeconds):0} s." : "a trial call is in flight."));
            }

            _trialInFlight = true;
            return true;
        }
    }

    private void Succeeded()
    {
        lock (_gate)
        {
            _failures = 0;
            _openUntil = null;
        }
    }

    private void Failed()
    {
        lock (_gate)
        {
            _failures++;
            if (_failures >= settings.CircuitBreakerFailures)
            {
                _openUntil = time.GetUtcNow() + settings.CircuitBreakerDuration;
            }
        }
    }

    private void EndTrial(bool trial)
    {
        if (trial)
        {
            lock (_gate)
            {
                _trialInFlight = false;
            }
        }
    }
}
