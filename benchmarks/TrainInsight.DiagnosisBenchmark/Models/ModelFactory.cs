using TrainInsight.Torch.Vision;
using static TorchSharp.torch;

namespace TrainInsight.DiagnosisBenchmark.Models;

/// <summary>Builds the network of an <see cref="Architecture"/> for a model family (<c>mlp</c> or <c>cnn</c>).</summary>
internal static class ModelFactory
{
    public const string Mlp = "mlp";
    public const string Cnn = "cnn";

    public static IReadOnlyList<string> Families { get; } = [Mlp, Cnn];

    /// <summary>Creates the model (call after seeding TorchSharp's generator).</summary>
    public static nn.Module<Tensor, Tensor> Create(Architecture architecture, string family) => (architecture, family) switch
    {
        (Architecture.Standard, Mlp) => new Mlp(1, 28, 28, [256, 128], 10),
        (Architecture.Wide, Mlp) => new Mlp(1, 28, 28, [1024, 1024], 10),
        (Architecture.DeepSigmoid, Mlp) => new FaultMlp("DeepSigmoidMlp", 784, Repeat(128, 9), 10, Activation.Sigmoid, Initialization.Default),
        (Architecture.DeepReluNormalInit, Mlp) => new FaultMlp("DeepReluNormalInitMlp", 784, Repeat(128, 7), 10, Activation.Relu, new Initialization(WeightStd: 1)),
        (Architecture.NegativeBias, Mlp) => new FaultMlp("NegativeBiasMlp", 784, [256, 128], 10, Activation.Relu, new Initialization(HiddenBias: -5)),
        (Architecture.SigmoidLargeInit, Mlp) => new FaultMlp("SigmoidLargeInitMlp", 784, [256, 128], 10, Activation.Sigmoid, new Initialization(WeightStd: 5)),
        (Architecture.Standard, Cnn) => new SmallCnn(),
        (Architecture.Wide, Cnn) => new FaultCnn("WideCnn", [32, 64], 256, 10, Activation.Relu, Initialization.Default),
        (Architecture.DeepSigmoid, Cnn) => new FaultCnn("DeepSigmoidCnn", Repeat(8, 9), null, 10, Activation.Sigmoid, Initialization.Default),
        (Architecture.DeepReluNormalInit, Cnn) => new FaultCnn("DeepReluNormalInitCnn", Repeat(8, 7), null, 10, Activation.Relu, new Initialization(WeightStd: 1)),
        (Architecture.NegativeBias, Cnn) => new FaultCnn("NegativeBiasCnn", [16, 32], 64, 10, Activation.Relu, new Initialization(HiddenBias: -5)),
        (Architecture.SigmoidLargeInit, Cnn) => new FaultCnn("SigmoidLargeInitCnn", [16, 32], 64, 10, Activation.Sigmoid, new Initialization(WeightStd: 5)),
        _ => throw new ArgumentException($"Unknown model family '{family}' (use mlp or cnn)."),
    };

    private static int[] Repeat(int value, int count) => Enumerable.Repeat(value, count).ToArray();
}
