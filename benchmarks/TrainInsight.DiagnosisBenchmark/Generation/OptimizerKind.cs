namespace TrainInsight.DiagnosisBenchmark.Generation;

/// <summary>The optimizer a scenario trains with.</summary>
internal enum OptimizerKind
{
    Adam,
    Sgd,
}
