namespace TrainInsight.Cli.Diagnosis;

/// <summary>Which side of a train/validation pair a run is (Keras writes <c>logs/train</c> and <c>logs/validation</c>).</summary>
internal enum RunSide
{
    /// <summary>A run of its own: its id ends in neither a training nor a validation suffix.</summary>
    Single,

    /// <summary>The training side of a pair (the id ends in <c>.train</c> or <c>.training</c>); findings are reported on it.</summary>
    Train,

    /// <summary>The validation side of a pair (the id ends in <c>.validation</c>, <c>.val</c>, <c>.eval</c> or <c>.test</c>).</summary>
    Validation,
}
