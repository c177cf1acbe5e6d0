using static TorchSharp.torch;

namespace TrainInsight.DiagnosisBenchmark.Models;

/// <summary>How a fault scenario initialises a model's layers (null values keep TorchSharp's default initialisation).</summary>
/// <param name="WeightStd">Weights drawn from N(0, WeightStd²), or <see langword="null"/>.</param>
/// <param name="HiddenBias">Every hidden layer's bias set to this value, or <see langword="null"/>.</param>
internal sealed record Initialization(double? WeightStd = null, double? HiddenBias = null)
{
    public static Initialization Default { get; } = new();

    /// <summary>Applies the initialisation to one layer's parameters.</summary>
    public void Apply(Tensor weight, Tensor? bias, bool hidden)
    {
        using var noGrad = no_grad();
        if (WeightStd is { } std)
        {
            weight.normal_(0, std);
        }

        if (hidden && HiddenBias is { } value && bias is not null)
        {
            bias.fill_(value);
        }
    }

    public static nn.Module<Tensor, Tensor> ActivationModule(Activation activation) =>
        activation == Activation.Sigmoid ? nn.Sigmoid() : nn.ReLU();
}
