namespace TrainInsight.Streaming.Tests.Infrastructure;

/// <summary>The bound every network read of a test gets (conditions are waited for with <c>Poll.UntilAsync</c>).</summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = Poll.DefaultTimeout;

    /// <summary>A token that cancels after the default bound; for every network read of a test.</summary>
    public static CancellationTokenSource Timeout() => new(DefaultTimeout);
}
