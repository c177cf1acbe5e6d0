using TrainInsight.Internal;

namespace TrainInsight;

/// <summary>Creates <see cref="ITrainingControl"/> instances for hosts that do not use dependency injection.</summary>
public static class TrainingControl
{
    /// <summary>Creates a new, empty control mailbox.</summary>
    /// <returns>The mailbox.</returns>
    public static ITrainingControl Create() => new TrainingControlMailbox();
}
