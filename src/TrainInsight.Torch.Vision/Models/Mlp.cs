using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision;

/// <summary>
/// A multi-layer perceptron for images: it flattens each image and applies fully connected layers with ReLU between them,
/// ending in one logit per class.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> _layers;
    private readonly ModuleList<ReLU> _activations;

    /// <summary>Initializes a new instance of the <see cref="Mlp"/> class.</summary>
    /// <param name="inputChannels">Channels of the input images; at least 1.</param>
    /// <param name="height">Height of the input images; at least 1.</param>
    /// <param name="width">Width of the input images; at least 1.</param>
    /// <param name="hiddenSizes">Units of each hidden layer, in order; each at least 1. Empty gives a linear classifier.</param>
    /// <param name="classes">Number of classes; at least 2.</param>
    public Mlp(int inputChannels, int height, int width, IReadOnlyList<int> hiddenSizes, int classes)
        : base(nameof(Mlp))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentNullException.ThrowIfNull(hiddenSizes);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (hiddenSizes.Any(size => size < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(hiddenSizes), "Every hidden layer needs at least 1 unit.");
        }

        var layers = new List<Linear>(hiddenSizes.Count + 1);
        long inputs = (long)inputChannels * height * width;
        foreach (var size in hiddenSizes)
        {
            layers.Add(nn.Linear(inputs, size));
            inputs = size;
        }

        layers.Add(nn.Linear(inputs, classes));
        _layers = nn.ModuleList(layers.ToArray());

        // Activation modules rather than functions, so that forward hooks (dead-ReLU statistics) see them.
        _activations = nn.ModuleList(hiddenSizes.Select(_ => nn.ReLU()).ToArray());
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.flatten(1);
        for (var i = 0; i < _layers.Count; i++)
        {
            x = _layers[i].call(x);
            if (i < _layers.Count - 1)
            {
                x = _activations[i].call(x);
            }
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _layers.Dispose();
            _activations.Dispose();
        }

        base.Dispose(disposing);
    }
}
