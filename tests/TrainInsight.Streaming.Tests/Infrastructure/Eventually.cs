namespace TrainInsight.Streaming.Tests.Infrastructure;

/// <summary>Waits for a condition with a bounded timeout; never measures how long anything took.</summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task SucceedsAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (!condition())
        {
            try
            {
                await Task.Delay(10, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
        }
    }

    /// <summary>A token that cancels after the default bound; for every network read of a test.</summary>
    public static CancellationTokenSource Timeout() => new(DefaultTimeout);
}
