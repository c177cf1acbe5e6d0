using System.Threading.Channels;

namespace TrainInsight;

/// <summary>Settings of the TrainInsight bus.</summary>
public sealed class TrainInsightOptions
{
    private int _historyCapacity = 10_000;
    private int _ingestCapacity = 65_536;
    private int _subscriberCapacity = 1_024;
    private BoundedChannelFullMode _subscriberFullMode = BoundedChannelFullMode.DropOldest;

    /// <summary>
    /// Gets or sets how many of the latest events the in-memory history ring keeps for late joiners and resuming clients.
    /// Between 1 and 10,000,000. The default is 10,000.
    /// </summary>
    public int HistoryCapacity
    {
        get => _historyCapacity;
        set => _historyCapacity = InRange(value, 1, 10_000_000);
    }

    /// <summary>
    /// Gets or sets how many published events may wait for the dispatcher before the oldest is dropped (and counted).
    /// Between 16 and 10,000,000. The default is 65,536.
    /// </summary>
    public int IngestCapacity
    {
        get => _ingestCapacity;
        set => _ingestCapacity = InRange(value, 16, 10_000_000);
    }

    /// <summary>
    /// Gets or sets how many events each subscriber may fall behind before events are dropped (and counted).
    /// Between 1 and 10,000,000. The default is 1,024.
    /// </summary>
    public int SubscriberCapacity
    {
        get => _subscriberCapacity;
        set => _subscriberCapacity = InRange(value, 1, 10_000_000);
    }

    /// <summary>
    /// Gets or sets which event a full subscriber loses. <see cref="BoundedChannelFullMode.Wait"/> is not allowed:
    /// a slow subscriber must never hold up the bus. The default is <see cref="BoundedChannelFullMode.DropOldest"/>.
    /// </summary>
    public BoundedChannelFullMode SubscriberFullMode
    {
        get => _subscriberFullMode;
        set
        {
            if (value == BoundedChannelFullMode.Wait || !Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Subscribers must drop (DropOldest, DropNewest or DropWrite); Wait would let a slow subscriber block the bus.");
            }

            _subscriberFullMode = value;
        }
    }

    private static int InRange(int value, int min, int max, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min:N0} and {max:N0}.");
        }

        return value;
    }
}
