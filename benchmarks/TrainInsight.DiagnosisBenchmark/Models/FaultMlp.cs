using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TrainInsight.DiagnosisBenchmark.Models;

/// <summary>
/// A multi-layer perceptron whose activation and initialisation a scenario chooses: a deep sigmoid MLP (vanishing
/// gradients), a deep ReLU MLP with N(0,1) weights (exploding), hidden biases of −5 (dying ReLU), a sigmoid MLP with
/// N(0,5²) weights (saturation). Activations are modules, one per layer, so the session's activation hooks see each.
/// </summary>
internal sealed class FaultMlp : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> _layers;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> _activations;

    public FaultMlp(string name, int inputs, IReadOnlyList<int> hidden, int classes, Activation activation, Initialization init)
        : base(name)
    {
        var layers = new List<Linear>();
        long width = inputs;
        foreach (var size in hidden)
        {
            layers.Add(nn.Linear(width, size));
            width = size;
        }

        layers.Add(nn.Linear(width, classes));
        for (var i = 0; i < layers.Count; i++)
        {
            init.Apply(layers[i].weight!, layers[i].bias, hidden: i < layers.Count - 1);
        }

        _layers = nn.ModuleList(layers.ToArray());
        _activations = nn.ModuleList(hidden.Select(_ => Initialization.ActivationModule(activation)).ToArray());
        RegisterComponents();
    }

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
