using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TrainInsight.DiagnosisBenchmark.Models;

/// <summary>
/// A convolutional network for 28×28 images whose depth, width, activation and initialisation a scenario chooses.
/// The first convolution is followed by a 2×2 max-pool (28 → 14), the last one by another (14 → 7); then an optional
/// hidden fully connected layer and the classifier. With convolutions of 16 and 32 channels and 64 hidden units it is
/// <c>SmallCnn</c>'s architecture; deeper, wider and faulty variants change one thing each.
/// </summary>
internal sealed class FaultCnn : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Conv2d> _convs;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> _convActivations;
    private readonly ModuleList<Linear> _fcs;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> _fcActivations;

    public FaultCnn(string name, IReadOnlyList<int> channels, int? fcHidden, int classes, Activation activation, Initialization init)
        : base(name)
    {
        var convs = new List<Conv2d>();
        long inChannels = 1;
        foreach (var c in channels)
        {
            var conv = nn.Conv2d(inChannels, c, 3, padding: 1);
            init.Apply(conv.weight!, conv.bias, hidden: true);
            convs.Add(conv);
            inChannels = c;
        }

        var fcs = new List<Linear>();
        var features = inChannels * 7 * 7;
        if (fcHidden is { } hidden)
        {
            var fc = nn.Linear(features, hidden);
            init.Apply(fc.weight!, fc.bias, hidden: true);
            fcs.Add(fc);
            features = hidden;
        }

        var output = nn.Linear(features, classes);
        init.Apply(output.weight!, output.bias, hidden: false);
        fcs.Add(output);

        _convs = nn.ModuleList(convs.ToArray());
        _convActivations = nn.ModuleList(convs.Select(_ => Initialization.ActivationModule(activation)).ToArray());
        _fcs = nn.ModuleList(fcs.ToArray());
        _fcActivations = nn.ModuleList(fcs.Skip(1).Select(_ => Initialization.ActivationModule(activation)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        for (var i = 0; i < _convs.Count; i++)
        {
            x = _convActivations[i].call(_convs[i].call(x));
            if (i == 0 || i == _convs.Count - 1)
            {
                x = nn.functional.max_pool2d(x, 2);
            }
        }

        x = x.flatten(1);
        for (var i = 0; i < _fcs.Count; i++)
        {
            x = _fcs[i].call(x);
            if (i < _fcs.Count - 1)
            {
                x = _fcActivations[i].call(x);
            }
        }

        return x.MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _convs.Dispose();
            _convActivations.Dispose();
            _fcs.Dispose();
            _fcActivations.Dispose();
        }

        base.Dispose(disposing);
    }
}
