using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision;

/// <summary>
/// A small residual network: a 3×3 convolution stem, three basic residual blocks (two 3×3 convolutions with batch
/// normalisation each) of <c>width</c>, <c>2·width</c> and <c>4·width</c> channels, the last two halving the resolution,
/// then global average pooling and a linear classifier. It accepts any image size of at least 4×4.
/// </summary>
public sealed class SmallResNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d _stem;
    private readonly BatchNorm2d _stemNorm;
    private readonly ReLU _stemRelu;
    private readonly BasicBlock _block1;
    private readonly BasicBlock _block2;
    private readonly BasicBlock _block3;
    private readonly Linear _classifier;

    /// <summary>Initializes a new instance of the <see cref="SmallResNet"/> class.</summary>
    /// <param name="inputChannels">Channels of the input images. The default is 3.</param>
    /// <param name="classes">Number of classes. The default is 10.</param>
    /// <param name="width">Channels of the first stage (the others have 2× and 4×); between 1 and 1,024. The default is 16.</param>
    public SmallResNet(int inputChannels = 3, int classes = 10, int width = 16)
        : base(nameof(SmallResNet))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 1_024);
        _stem = nn.Conv2d(inputChannels, width, 3, padding: 1, bias: false);
        _stemNorm = nn.BatchNorm2d(width);
        _stemRelu = nn.ReLU();
        _block1 = new BasicBlock("block1", width, width, stride: 1);
        _block2 = new BasicBlock("block2", width, 2 * width, stride: 2);
        _block3 = new BasicBlock("block3", 2 * width, 4 * width, stride: 2);
        _classifier = nn.Linear(4 * width, classes);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = _stemRelu.call(_stemNorm.call(_stem.call(input)));
        x = _block3.call(_block2.call(_block1.call(x)));
        x = nn.functional.adaptive_avg_pool2d(x, [1, 1]).flatten(1);
        return _classifier.call(x).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stem.Dispose();
            _stemNorm.Dispose();
            _stemRelu.Dispose();
            _block1.Dispose();
            _block2.Dispose();
            _block3.Dispose();
            _classifier.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>conv-bn-relu-conv-bn plus a shortcut (identity, or a strided 1×1 convolution with batch norm), then ReLU.</summary>
    private sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d _conv1;
        private readonly BatchNorm2d _norm1;
        private readonly Conv2d _conv2;
        private readonly BatchNorm2d _norm2;
        private readonly Sequential _shortcut;
        private readonly ReLU _relu1;
        private readonly ReLU _relu2;

        public BasicBlock(string name, int inputs, int outputs, int stride)
            : base(name)
        {
            _conv1 = nn.Conv2d(inputs, outputs, 3, stride: stride, padding: 1, bias: false);
            _norm1 = nn.BatchNorm2d(outputs);
            _conv2 = nn.Conv2d(outputs, outputs, 3, padding: 1, bias: false);
            _norm2 = nn.BatchNorm2d(outputs);
            _shortcut = stride == 1 && inputs == outputs
                ? nn.Sequential()
                : nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride: stride, bias: false), nn.BatchNorm2d(outputs));
            _relu1 = nn.ReLU();
            _relu2 = nn.ReLU();
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = _relu1.call(_norm1.call(_conv1.call(input)));
            x = _norm2.call(_conv2.call(x));
            var shortcut = _shortcut.Count == 0 ? input : _shortcut.call(input);
            return _relu2.call(x + shortcut).MoveToOuterDisposeScope();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _conv1.Dispose();
                _norm1.Dispose();
                _conv2.Dispose();
                _norm2.Dispose();
                _shortcut.Dispose();
                _relu1.Dispose();
                _relu2.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
