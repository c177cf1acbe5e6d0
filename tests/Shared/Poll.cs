namespace TrainInsight.Testing;

/// <summary>
/// The one way tests wait for something asynchronous: poll a condition until it holds, and fail with what was awaited
/// after a bounded time. Never a fixed sleep, never a timed assertion.
/// </summary>
internal static class Poll
{
    /// <summary>How long a condition may take by default: generous, since a shared 2-core machine stalls now and then.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    /// <exception cref="TimeoutException">It did not within <paramref name="timeout"/> (<see cref="DefaultTimeout"/>).</exception>
    public static async Task UntilAsync(Func<bool> condition, string because, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:N0} s waiting until {because}.");
            }

            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a value until <paramref name="condition"/> holds for it, and returns that value.</summary>
    /// <exception cref="TimeoutException">It did not within <paramref name="timeout"/> (<see cref="DefaultTimeout"/>).</exception>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string because, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var value = await read().ConfigureAwait(false);
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:N0} s waiting until {because}; the last value read was {value}.");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }
}
