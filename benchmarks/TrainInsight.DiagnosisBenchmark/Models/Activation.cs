namespace TrainInsight.DiagnosisBenchmark.Models;

/// <summary>The hidden activation of a benchmark model (as a module, so that the activation hooks see it).</summary>
internal enum Activation
{
    Relu,
    Sigmoid,
}
