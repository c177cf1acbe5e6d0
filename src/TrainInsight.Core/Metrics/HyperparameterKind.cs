namespace TrainInsight;

/// <summary>What a <see cref="HyperparameterValue"/> holds.</summary>
public enum HyperparameterKind
{
    /// <summary>A finite number (a learning rate, a batch size, a seed).</summary>
    Number,

    /// <summary>Text (an optimizer's name, a schedule, an augmentation).</summary>
    Text,

    /// <summary>True or false (whether a feature is on).</summary>
    Boolean,
}
