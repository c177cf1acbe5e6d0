namespace TrainInsight.DiagnosisBenchmark.Models;

/// <summary>Which network a scenario trains (per model family: MLP or CNN).</summary>
internal enum Architecture
{
    /// <summary>MLP 784-256-128-10 (Torch.Vision <c>Mlp</c>) or Torch.Vision <c>SmallCnn</c>.</summary>
    Standard,

    /// <summary>MLP 784-1024-1024-10, or a CNN with 32/64 channels and 256 hidden units: room to memorise.</summary>
    Wide,

    /// <summary>10 layers with sigmoid between them (MLP: 10 linear layers of 128; CNN: 9 convolutions of 8 channels + the classifier).</summary>
    DeepSigmoid,

    /// <summary>8 ReLU layers with N(0,1) weights (MLP: 8 linear layers of 128; CNN: 7 convolutions of 8 channels + the classifier).</summary>
    DeepReluNormalInit,

    /// <summary>The standard shape built with ReLU modules and every hidden bias set to −5.</summary>
    NegativeBias,

    /// <summary>The standard shape with sigmoid activations and N(0,5²) weights.</summary>
    SigmoidLargeInit,
}
