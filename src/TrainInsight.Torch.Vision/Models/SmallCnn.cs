using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision;

/// <summary>
/// A small convolutional network for 28×28-class images: two 3×3 convolution + ReLU + 2×2 max-pool blocks (16 and 32
/// channels) and two fully connected layers (64 hidden units).
/// </summary>
public sealed class SmallCnn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d _conv1;
    private readonly Conv2d _conv2;
    private readonly Linear _fc1;
    private readonly Linear _fc2;
    private readonly ReLU _relu1;
    private readonly ReLU _relu2;
    private readonly ReLU _relu3;

    /// <summary>Initializes a new instance of the <see cref="SmallCnn"/> class.</summary>
    /// <param name="inputChannels">Channels of the input images. The default is 1.</param>
    /// <param name="classes">Number of classes. The default is 10.</param>
    /// <param name="imageSize">Height and width of the (square) input images; must be divisible by 4. The default is 28.</param>
    public SmallCnn(int inputChannels = 1, int classes = 10, int imageSize = 28)
        : base(nameof(SmallCnn))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (imageSize < 4 || imageSize % 4 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "imageSize must be a positive multiple of 4.");
        }

        _conv1 = nn.Conv2d(inputChannels, 16, 3, padding: 1);
        _conv2 = nn.Conv2d(16, 32, 3, padding: 1);
        _fc1 = nn.Linear(32 * (imageSize / 4) * (imageSize / 4), 64);
        _fc2 = nn.Linear(64, classes);

        // Activation modules rather than functions, so that forward hooks (dead-ReLU statistics) see them.
        _relu1 = nn.ReLU();
        _relu2 = nn.ReLU();
        _relu3 = nn.ReLU();
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.max_pool2d(_relu1.call(_conv1.call(input)), 2);
        x = nn.functional.max_pool2d(_relu2.call(_conv2.call(x)), 2);
        x = _relu3.call(_fc1.call(x.flatten(1)));
        return _fc2.call(x).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _conv1.Dispose();
            _conv2.Dispose();
            _fc1.Dispose();
            _fc2.Dispose();
            _relu1.Dispose();
            _relu2.Dispose();
            _relu3.Dispose();
        }

        base.Dispose(disposing);
    }
}
